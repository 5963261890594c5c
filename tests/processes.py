"""Starting the application's real processes in tests: gunicorn, Celery worker and beat, redis-server and
an S3-compatible server, each on a free port of this machine, waited for with deadlines and stopped.

Nothing here is mocked: the processes run the production settings (DJANGO_ENV=production) against the
test database and a Redis database, as the Compose file runs them against theirs.
"""

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import boto3
import pytest
from django.db import connection
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], object], timeout: float = 30.0, what: str = "the condition",
               processes: tuple = ()) -> object:
    """Poll until condition() is truthy (and return it), failing at the deadline or as soon as one of the
    processes (Popen, or Process with its log) has died."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        for watched in processes:
            popen = getattr(watched, "process", watched)
            if popen.poll() is not None:
                log = watched.output()[-3000:] if hasattr(watched, "output") else ""
                raise RuntimeError(f"{popen.args[:4]} exited with {popen.returncode} while waiting for {what}\n{log}")
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {watched.name}\n{watched.output()[-2000:]}"
                             for watched in processes if hasattr(watched, "output"))
            raise TimeoutError(f"{what} not reached after {timeout} s\n{logs}")
        time.sleep(0.1)


def wait_for_port(port: int, process, timeout: float = 30.0) -> None:
    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return True
        except OSError:
            return False

    wait_until(listening, timeout, f"a listener on port {port}", (process,))


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def the_test_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def production_environment_without_database() -> dict[str, str]:
    return {
        **{name: value for name, value in os.environ.items() if name != "CELERY_TASK_ALWAYS_EAGER"},
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "process-test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": "sqlite:////nonexistent/never-opened.sqlite3",
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }


def production_environment(**overrides: str | None) -> dict[str, str]:
    """The production settings on the test database (and the test Redis, unless overridden)."""
    environment = {**production_environment_without_database(), "DATABASE_URL": the_test_database_url(),
                   "DB_CONN_MAX_AGE": "0"}
    for name, value in overrides.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


@dataclass
class Process:
    name: str
    process: subprocess.Popen
    log: Path
    url: str = ""
    extra: dict = field(default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop(self.process)


class Processes:
    """Starts processes and stops them all at the end (see the `processes` fixture)."""

    def __init__(self, directory: Path, static_root: Path):
        self.directory = directory
        self.static_root = static_root
        self.started: list[Process] = []

    def start(self, name: str, command: list[str], environment: dict[str, str]) -> Process:
        environment = {"STATIC_ROOT": str(self.static_root), **environment}
        log = self.directory / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output,
                                       stderr=subprocess.STDOUT)
        started = Process(name, process, log)
        self.started.append(started)
        return started

    def gunicorn(self, name: str, environment: dict[str, str], workers: int = 1) -> Process:
        """gunicorn as the Compose file runs it (config/gunicorn.py), started; see wait_for_web."""
        port = free_port()
        started = self.start(name, [
            sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60", "--no-control-socket",
        ], environment)
        started.url = f"http://127.0.0.1:{port}"
        started.extra["port"] = port
        return started

    def worker(self, name: str, environment: dict[str, str]) -> Process:
        return self.start(name, [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "INFO",
            "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle",
        ], environment)

    def beat(self, name: str, environment: dict[str, str]) -> Process:
        return self.start(name, [
            sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO", "--pidfile=",
        ], environment)

    @staticmethod
    def wait_for_web(*started: Process) -> None:
        for web in started:
            wait_for_port(web.extra["port"], web, timeout=60)

    def stop_all(self) -> None:
        for started in reversed(self.started):
            started.stop()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """Static files with the manifest production's storage reads (whitenoise's, as the Dockerfile collects
    them), without whitenoise's gzip and brotli copies: compressing the vendored files takes minutes on
    this machine and serves no test (whitenoise then serves the files uncompressed)."""
    directory = tmp_path_factory.mktemp("staticfiles")
    environment = {**production_environment_without_database(), "STATIC_ROOT": str(directory)}
    collect = (
        "import django; from django.conf import settings; django.setup(); "
        "settings.STORAGES['staticfiles'] = "
        "{'BACKEND': 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}; "
        "from django.core.management import call_command; "
        "call_command('collectstatic', interactive=False, verbosity=0)"
    )
    subprocess.run([sys.executable, "-c", collect], cwd=ROOT, env=environment, check=True, timeout=300)
    return directory


@pytest.fixture
def processes(tmp_path, static_root):
    started = Processes(tmp_path, static_root)
    try:
        yield started
    finally:
        started.stop_all()


@dataclass
class RedisServer:
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        stop(self.process)


def start_redis(directory: Path) -> RedisServer:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed (apt-get install redis-server, or `make test-system-packages`)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
    except Exception:
        stop(process)
        raise
    return RedisServer(url=f"redis://127.0.0.1:{port}/0", process=process)


@pytest.fixture
def doomed_redis(tmp_path):
    """A redis-server of the test's own, on a free port, for the test to stop."""
    server = start_redis(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class S3Server:
    """moto's S3-compatible HTTP server (the real S3 protocol over HTTP, objects kept in its memory)."""

    url: str
    bucket: str
    access_key: str = "test-access-key"
    secret_key: str = "test-secret-key"
    region: str = "us-east-1"

    def client(self):
        return boto3.client("s3", endpoint_url=self.url, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name=self.region)

    def environment(self) -> dict[str, str]:
        """The settings the application takes for it (docs/configuration.md)."""
        return {"STORAGE_BUCKET": self.bucket, "STORAGE_URL": self.url, "STORAGE_ACCESS_KEY": self.access_key,
                "STORAGE_SECRET_KEY": self.secret_key, "STORAGE_REGION": self.region,
                "STORAGE_ADDRESSING_STYLE": "path"}

    def storage_options(self) -> dict:
        return {"bucket_name": self.bucket, "endpoint_url": self.url, "access_key": self.access_key,
                "secret_key": self.secret_key, "region_name": self.region, "addressing_style": "path",
                "signature_version": "s3v4", "file_overwrite": False, "default_acl": None}

    def keys(self) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=self.bucket)
        return [item["Key"] for item in listed.get("Contents", [])]


@pytest.fixture
def s3_server():
    """An S3-compatible server on a free port with an empty private bucket."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # its line per request
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        s3 = S3Server(url=f"http://127.0.0.1:{port}", bucket="alliance-test")
        s3.client().create_bucket(Bucket=s3.bucket)
        yield s3
    finally:
        server.stop()
