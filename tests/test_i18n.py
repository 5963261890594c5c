import subprocess
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_the_chinese_catalogue_is_complete_and_compiled():
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    compiled = CATALOGUE.with_suffix(".mo")
    assert compiled.exists() and compiled.stat().st_mtime >= CATALOGUE.stat().st_mtime - 1


def test_the_catalogue_holds_every_string_in_the_code_and_templates(tmp_path):
    """No translatable string in Python code or templates is missing from the committed catalogue."""
    from django.utils.translation.template import templatize

    base = Path(settings.BASE_DIR)
    sources = [p for p in base.glob("*/**/*.py") if not {".venv", "tests", "bench"} & set(p.parts)]
    for number, template in enumerate(sorted(base.glob("templates/**/*.*"))):
        converted = tmp_path / f"template{number}.py"
        converted.write_text(templatize(template.read_text(), origin=str(template)))
        sources.append(converted)
    pot = tmp_path / "all.pot"
    subprocess.run(
        ["xgettext", "-d", "django", "-L", "Python", "--from-code=UTF-8", "--keyword=gettext_lazy",
         "--keyword=gettext_noop", "--keyword=_", "--keyword=gettext", "--keyword=ngettext:1,2",
         "--keyword=pgettext:1c,2", "--keyword=npgettext:1c,2,3", "-o", str(pot), *map(str, sources)],
        check=True,
    )
    missing = set(_ids_in(pot.read_text())) - set(_ids_in(CATALOGUE.read_text())) - {""}
    assert missing == set(), "run `make messages` and translate: " + repr(sorted(missing))


def _ids_in(text):
    import re

    for match in re.finditer(r'^msgid ((?:".*"\n?)+)', text, re.M):
        yield "".join(re.findall(r'"(.*)"', match.group(1))).encode().decode("unicode_escape").encode(
            "latin-1").decode("utf-8")


def test_pages_are_chinese_by_default(client):
    html = client.get("/alliances/").content.decode()
    assert 'lang="zh-hans"' in html
    assert "产教联合体" in html and "成员名册" in html


def test_the_language_switch_turns_the_site_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/alliances/"}, follow=True)
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Member register" in html
    assert "Member register" in client.get("/register/").content.decode()


def test_choice_labels_are_translated(client):
    assert "已成立" in client.get("/alliances/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Established" in client.get("/alliances/").content.decode()


def test_a_signed_in_users_choice_is_remembered_for_their_mail(cast, client_for):
    browser = client_for(cast["official"])
    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    cast["official"].refresh_from_db()
    assert cast["official"].language == "en"
