"""Files on S3-compatible object storage (django-storages' S3 backend with boto3).

The server is moto's S3 server: the S3 protocol over HTTP on a port of this machine. MinIO, whose server
is what a city would run, is not published on the package registries this project installs from; moto
is, and speaks the same API (signed requests, buckets, objects, ACLs) to the same client code.
"""

import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from alliance.demo import HIGH_TECH
from alliance.models import Alliance, AllianceDocument
from kernel.health import readiness_checks
from tests.processes import ROOT, production_environment, s3_server  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

DOCX = b"PK\x03\x04 not really a document, but bytes to compare " + bytes(range(256))


@pytest.fixture
def on_s3(settings, s3_server):  # noqa: F811
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "storages.backends.s3.S3Storage",
                                     "OPTIONS": s3_server.storage_options()}}
    return s3_server


def test_an_uploaded_document_goes_to_the_bucket_and_is_downloaded_through_the_app(on_s3, cast):
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    client = Client()
    client.force_login(cast["secretariat"])
    response = client.post(f"/alliances/{high_tech.pk}/documents/", {
        "kind": "other", "title": "对象存储测试",
        "file": ContentFile(DOCX, name="plan.docx"),
    })
    assert response.status_code == 302
    document = AllianceDocument.objects.get(alliance=high_tech, title="对象存储测试")
    assert document.file.name.startswith("alliance-documents/") and document.file.name in on_s3.keys()

    # Private in the bucket: no grant to everyone; the bytes reach users only through the view.
    grants = on_s3.client().get_object_acl(Bucket=on_s3.bucket, Key=document.file.name)["Grants"]
    assert not [grant for grant in grants if "AllUsers" in grant["Grantee"].get("URI", "")]
    download = client.get(f"/alliances/{high_tech.pk}/documents/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == DOCX
    assert download["Content-Disposition"].startswith('attachment; filename="plan')


def test_a_second_file_of_the_same_name_does_not_replace_the_first(on_s3):
    first = default_storage.save("alliance-documents/same.pdf", ContentFile(b"first"))
    second = default_storage.save("alliance-documents/same.pdf", ContentFile(b"second"))
    assert first != second
    assert default_storage.open(first).read() == b"first"


def test_readiness_writes_reads_and_deletes_a_file_in_the_bucket(on_s3):
    storage = readiness_checks()["storage"]
    storage.run()  # raises if the bucket cannot be written, read back or cleaned
    assert not [key for key in on_s3.keys() if key.startswith("health_check_storage_test/")]


def settings_in(environment: dict[str, str]) -> subprocess.CompletedProcess:
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.STORAGES['default'])")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=120)


def test_the_bucket_settings_choose_the_s3_backend(s3_server):  # noqa: F811
    result = settings_in(production_environment(**s3_server.environment(), STORAGE_PREFIX="zibo"))
    assert result.returncode == 0, result.stderr
    assert "storages.backends.s3.S3Storage" in result.stdout
    for expected in (f"'bucket_name': '{s3_server.bucket}'", f"'endpoint_url': '{s3_server.url}'",
                     "'location': 'zibo'", "'file_overwrite': False", "'default_acl': None"):
        assert expected in result.stdout


def test_without_a_bucket_files_stay_on_local_disk():
    result = settings_in(production_environment(STORAGE_BUCKET=None, STORAGE_URL=None))
    assert result.returncode == 0, result.stderr
    assert "FileSystemStorage" in result.stdout


def test_an_endpoint_without_a_bucket_stops_the_start():
    result = settings_in(production_environment(STORAGE_BUCKET=None, STORAGE_URL="http://minio:9000"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "STORAGE_BUCKET" in result.stderr
