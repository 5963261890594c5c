"""The deployment files agree with the code: docker-compose.yml, the Dockerfile, the Makefile and the
lock files, .env.example, docs/configuration.md and the production settings.

No Docker engine is needed: the files are parsed, the entry points they name are imported in a
subprocess under the production environment, and `manage.py check --deploy` is run. None of
these tests touches the database.
"""

import ast
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
CONFIGURATION_DOC = ROOT / "docs" / "configuration.md"

APP_SERVICES = ("migrate", "web", "worker", "beat")
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL")
MAKEFILE = ROOT / "Makefile"
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
RUNTIME_LOCK = ROOT / "requirements-runtime.lock"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/alliance"


# --- helpers ----------------------------------------------------------------------------------


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def service(name: str) -> dict:
    return compose()["services"][name]


def command_words(name: str) -> list[str]:
    """The service's command as words; `sh -c "..."` is split into the words of its script."""
    command = service(name).get("command")
    assert command, f"service {name} has no command"
    words = shlex.split(command) if isinstance(command, str) else [str(word) for word in command]
    if words[:2] == ["sh", "-c"] or words[:2] == ["/bin/sh", "-c"]:
        words = shlex.split(" ".join(words[2:]))
    return words


def environment(name: str) -> dict[str, str]:
    env = service(name).get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        keyword, _, arguments = current.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    return instructions


def copied_sources() -> list[str]:
    sources = []
    for keyword, arguments in dockerfile_instructions():
        if keyword not in ("COPY", "ADD"):
            continue
        words = json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)
        words = [word for word in words if not word.startswith("--")]
        sources.extend(words[:-1])
    return sources


def production_env(**overrides) -> dict[str, str]:
    """A clean environment for a production subprocess (nothing inherited from the shell
    except what a process needs to run)."""
    kept = ("PATH", "HOME", "LANG", "SYSTEMROOT")
    env = {key: os.environ[key] for key in kept if key in os.environ}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="alliance.example.cn",
        DATABASE_URL=os.environ.get("DATABASE_URL") or TEST_DATABASE_URL,
        REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def local_apps() -> list[str]:
    return [
        app for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0] / "apps.py").exists()
    ]


def settings_environment_variables() -> set[str]:
    """Every environment variable name config/settings.py reads, found in its syntax tree."""
    tree = ast.parse((ROOT / "config" / "settings.py").read_text(encoding="utf-8"))
    readers = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("env")
    }
    names = set()
    for node in ast.walk(tree):
        first = None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Name) and func.id in readers:
                first = node.args[0]
            elif ast.unparse(func) in ("os.environ.get", "os.getenv"):
                first = node.args[0]
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            first = node.slice
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


# --- docker-compose.yml ---------------------------------------------------------------------


def test_compose_has_the_six_services():
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(compose()["services"])


def test_db_is_postgres_16_with_a_volume_and_a_healthcheck():
    db = service("db")
    assert db["image"].startswith("postgres:16")
    assert any(str(volume).endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    named = str(db["volumes"][0]).split(":")[0]
    assert named in compose()["volumes"]


def test_redis_is_redis_7():
    assert service("redis")["image"].startswith("redis:7")


def test_web_runs_gunicorn_on_the_wsgi_application_with_its_settings_file():
    words = command_words("web")
    assert words[0] == "gunicorn"
    assert "config.wsgi:application" in words
    assert any("0.0.0.0:8000" in word for word in words)
    assert words[words.index("-c") + 1] == "config/gunicorn.py" and (ROOT / "config" / "gunicorn.py").exists()
    assert any(str(port).endswith(":8000") for port in service("web")["ports"])


def test_migrations_run_once_in_a_one_shot_service_not_in_every_web_replica():
    assert command_words("migrate") == ["python", "manage.py", "migrate", "--noinput"]
    assert service("migrate")["restart"] == "no"
    assert service("migrate")["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert "migrate" not in command_words(name)


def test_the_web_healthcheck_asks_the_readiness_endpoint():
    healthcheck = service("web")["healthcheck"]
    command = " ".join(healthcheck["test"])
    assert "http://127.0.0.1:8000/health/" in command and "urlopen" in command  # fails on 503
    assert healthcheck["start_period"] and healthcheck["timeout"]


def test_web_waits_for_a_healthy_database():
    assert service("web")["depends_on"]["db"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_application_services_start_after_the_migrations(name):
    depends_on = service(name)["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_worker_runs_a_celery_worker_of_the_alliance_app():
    words = command_words("worker")
    assert words[:4] == ["celery", "-A", "config", "worker"]


def test_beat_runs_celery_beat_with_the_locked_database_scheduler():
    words = command_words("beat")
    assert words[:4] == ["celery", "-A", "config", "beat"]
    scheduler = settings.CELERY_BEAT_SCHEDULER
    assert scheduler == "config.beat:SingleBeatScheduler"
    if "--scheduler" in words or "-S" in words:
        flag = "--scheduler" if "--scheduler" in words else "-S"
        assert words[words.index(flag) + 1] == scheduler


def test_exactly_one_beat():
    beat = service("beat")
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert beat.get("scale", 1) == 1
    assert not any("beat" in " ".join(command_words(name)) for name in ("web", "worker"))
    assert not any("--beat" in word or word == "-B" for word in command_words("worker"))


def test_web_and_worker_share_the_media_volume():
    def media_volume(name):
        for volume in service(name).get("volumes", []):
            source, _, target = str(volume).partition(":")
            if target.split(":")[0] == environment(name).get("MEDIA_ROOT", "/app/media"):
                return source
        return None

    web_media, worker_media = media_volume("web"), media_volume("worker")
    assert web_media and web_media == worker_media
    assert web_media in compose()["volumes"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_application_services_get_the_production_environment(name):
    env = environment(name)
    assert env["DJANGO_ENV"] == "production"
    for variable in REQUIRED_IN_PRODUCTION:
        assert env.get(variable), f"{name} lacks {variable}"
    # Required values come from .env and stop `docker compose` when missing.
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert env["ALLOWED_HOSTS"].startswith("${ALLOWED_HOSTS:?")
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")


def test_every_required_compose_variable_is_in_env_example():
    text = COMPOSE.read_text(encoding="utf-8")
    required = set()
    for match in re.finditer(r"\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}", text):
        name, modifier = match.groups()
        if not modifier.startswith((":-", "-")):  # no default: .env must give it
            required.add(name)
    example = {
        line.split("=", 1)[0].strip()
        for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD"} <= required
    assert required <= example, f"missing from .env.example: {sorted(required - example)}"


# --- Dockerfile -----------------------------------------------------------------------------


def test_dockerfile_starts_from_python_311_slim_and_installs_the_system_packages():
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    runs = " ".join(arguments for keyword, arguments in instructions if keyword == "RUN")
    assert "fonts-noto-cjk" in runs and "gettext" in runs
    assert re.search(r"pip install (--\S+ )*\.(\s|$)", runs)


def test_dockerfile_installs_the_runtime_lock_and_nothing_it_resolves_itself():
    runs = " ".join(arguments for keyword, arguments in dockerfile_instructions() if keyword == "RUN")
    assert "pip install -r requirements-runtime.lock" in runs
    assert re.search(r"pip install --no-deps \.(\s|$)", runs)
    assert "requirements-runtime.lock" in copied_sources()


def test_every_file_the_dockerfile_copies_exists():
    sources = copied_sources()
    assert "pyproject.toml" in sources and "manage.py" in sources
    for source in sources:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which does not exist"


def test_the_dockerfile_copies_every_local_app_and_the_project_files():
    # pyproject.toml declares `packages = []`: the code runs from the copied tree,
    # not from site-packages.
    copied = {source.rstrip("/").split("/")[0] for source in copied_sources()}
    missing = [app for app in local_apps() if app.split(".")[0] not in copied]
    assert not missing, f"the Dockerfile does not copy these apps: {missing}"
    assert {"templates", "static"} <= copied
    if (ROOT / "locale").is_dir():
        assert "locale" in copied, "locale/ exists: copy it in the Dockerfile"


def test_dockerfile_runs_as_a_non_root_user_and_starts_gunicorn():
    instructions = dockerfile_instructions()
    keywords = [keyword for keyword, _ in instructions]
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert keywords.index("USER") < keywords.index("CMD")
    workdirs = [arguments for keyword, arguments in instructions if keyword == "WORKDIR"]
    assert workdirs[-1] == "/app"
    cmd = [arguments for keyword, arguments in instructions if keyword == "CMD"][-1]
    words = json.loads(cmd) if cmd.startswith("[") else shlex.split(cmd)
    assert words[0] == "gunicorn" and "config.wsgi:application" in words


def test_static_files_are_collected_for_the_production_storage():
    # Production serves whitenoise's manifest storage: collectstatic must run with
    # DJANGO_ENV=production, or every {% static %} fails for lack of a manifest entry.
    runs = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "RUN"]
    collect = [run for run in runs if "collectstatic" in run]
    assert collect and "DJANGO_ENV=production" in collect[0].split("collectstatic")[0]


# --- the lock files ---------------------------------------------------------------------------


def pinned(lock: Path) -> dict[str, str]:
    versions = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            specifier = str(requirement.specifier)
            assert specifier.startswith("=="), f"{lock.name}: {line} is not pinned"
            versions[canonicalize_name(requirement.name)] = specifier[2:]
    return versions


def declared(group: str | None = None) -> set[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return {canonicalize_name(Requirement(requirement).name) for requirement in requirements}


def test_the_lock_files_pin_everything_pyproject_declares():
    """Adding a dependency to pyproject.toml without `make lock` fails here."""
    full, runtime = pinned(LOCK), pinned(RUNTIME_LOCK)
    assert declared() <= set(runtime), f"not in {RUNTIME_LOCK.name}: {declared() - set(runtime)}"
    assert declared() | declared("dev") <= set(full), f"not in {LOCK.name}: {(declared() | declared('dev')) - set(full)}"
    tools = {"pytest", "pytest-django", "factory-boy", "playwright", "schemathesis", "moto", "pypdf"}
    assert tools <= declared("dev") and not tools & set(runtime), "test tools in the runtime lock"
    shared = set(full) & set(runtime)
    assert {name: full[name] for name in shared} == {name: runtime[name] for name in shared}


def test_the_lock_admits_the_ranges_pyproject_declares():
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    full = pinned(LOCK)
    for text in project["dependencies"] + project["optional-dependencies"]["dev"]:
        requirement = Requirement(text)
        version = full[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version, prereleases=True), f"{version} outside {text}"


def test_make_installs_from_the_lock_and_reinstalls_when_it_changes():
    text = MAKEFILE.read_text(encoding="utf-8")
    stamp_rule = re.search(r"^\$\(STAMP\):(.*)$", text, re.MULTILINE).group(1).split()
    assert {"pyproject.toml", "requirements.lock"} <= set(stamp_rule)
    assert "pip install --quiet -r requirements.lock" in text
    assert "pip install --quiet --no-deps -e ." in text
    assert "uv pip compile" in text  # `make lock`


# --- the entry points, under the production settings -----------------------------------------


def test_the_entry_points_the_services_name_exist():
    code = """
import config.wsgi
assert callable(config.wsgi.application)
from celery import Celery
from celery.app.utils import find_app
from celery.utils.imports import symbol_by_name
import config.celery
app = find_app("config")  # what `celery -A config` resolves
assert isinstance(app, Celery) and app is config.celery.app
from django.conf import settings
scheduler = symbol_by_name(settings.CELERY_BEAT_SCHEDULER)
from django_celery_beat.schedulers import DatabaseScheduler
assert issubclass(scheduler, DatabaseScheduler)
assert app.conf.broker_url == settings.CELERY_BROKER_URL
print("ok")
"""
    result = run_python(code, production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


@pytest.mark.parametrize("variable", REQUIRED_IN_PRODUCTION)
def test_production_refuses_to_start_without(variable):
    result = run_python("import django; django.setup()", production_env(**{variable: None}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and variable in result.stderr


def test_check_deploy_reports_no_issues():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output
    assert "WARNINGS" not in output, output


# --- docs/configuration.md --------------------------------------------------------------------


def test_deploy_doc_shows_one_server_and_several():
    text = DEPLOY_DOC.read_text(encoding="utf-8")
    for needed in ("/health/", "migrate", "STORAGE_BUCKET", "REDIS_URL", "SENTRY_DSN", "METRICS_ENABLED",
                   "BEAT_LOCK_SECONDS", "requirements.lock", "tests/test_scale_out.py", "replica"):
        assert needed in text, f"docs/deploy.md does not mention {needed}"


def test_configuration_doc_lists_every_variable_settings_read():
    names = settings_environment_variables()
    assert {"DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"} <= names
    text = CONFIGURATION_DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]*)`", text))
    assert not names - documented, f"not in docs/configuration.md: {sorted(names - documented)}"
