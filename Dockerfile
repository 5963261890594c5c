# The application image: web (gunicorn), Celery worker and Celery beat all run from it.
# See docs/deploy.md. Build: docker build -t alliance .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango for WeasyPrint (PDF reports), the Noto CJK fonts for Chinese PDFs, gettext for the catalogues.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk gettext libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so that code changes do not reinstall them: the exact versions of the runtime
# lock file (requirements-runtime.lock, made by `make lock` from pyproject.toml; no test tools), then the
# project itself without resolving anything again. pyproject.toml declares `packages = []`: the code runs
# from /app.
COPY pyproject.toml requirements-runtime.lock ./
RUN pip install -r requirements-runtime.lock \
    && pip install --no-deps . \
    && rm -rf build *.egg-info

# The source tree (listed one by one: nothing from the developer's checkout such as .venv,
# db.sqlite3, media/ or var/ ends up in the image). tests/test_deploy.py checks that every
# local app in INSTALLED_APPS is copied here.
COPY manage.py ./
COPY config ./config
COPY kernel ./kernel
COPY alliance ./alliance
COPY members ./members
COPY governance ./governance
COPY cooperation ./cooperation
COPY assessments ./assessments
COPY publicity ./publicity
COPY matching ./matching
COPY templates ./templates
COPY static ./static
COPY locale ./locale

# Static files are collected with the production storage (whitenoise's compressed manifest),
# which is what the running container serves; the values below exist only for this step.
# The message catalogues (locale/, see `make messages`) are compiled here.
RUN export DJANGO_ENV=production SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=localhost \
           DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://build-only.invalid:6379/0 \
    && python manage.py collectstatic --noinput --verbosity 0 \
    && python manage.py compilemessages --verbosity 0 \
    && rm -rf /app/var /tmp/build.sqlite3 \
    && mkdir -p /app/media /app/var \
    && chown app:app /app/media /app/var

# The code stays owned by root and read-only for the service user; it writes only to
# media/ (uploads, a volume, when no object storage is configured) and var/.
USER app

# gunicorn's settings are in config/gunicorn.py (JSON error log; the application logs each request).
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
