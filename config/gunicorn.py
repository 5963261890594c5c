"""gunicorn's settings for the web service: `gunicorn -c config/gunicorn.py config.wsgi:application`.

Options given on the command line or in GUNICORN_CMD_ARGS still win; WEB_CONCURRENCY sets the number of
worker processes (gunicorn reads it itself). The application logs one JSON line per request
(kernel.logs.RequestIdMiddleware), so gunicorn's own access log stays off; its error log (start, stop,
worker timeouts) goes to standard error in the same JSON form when LOG_FORMAT is json (the default in
production).

With PROMETHEUS_MULTIPROC_DIR set (metrics on, several workers), the directory is emptied when gunicorn
starts and a worker's files are marked dead when it exits, so that /metrics adds up the live workers.
"""

import os
import shutil
from pathlib import Path

bind = "0.0.0.0:8000"
accesslog = None
errorlog = "-"
# No control socket (gunicornc): containers are managed by Compose, and the service user's home is read-only.
control_socket_disable = True

_production = os.environ.get("DJANGO_ENV") == "production"
if os.environ.get("LOG_FORMAT", "json" if _production else "console") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "{levelname}{name}{message}",
                "style": "{",
                "timestamp": "time",
                "rename_fields": {"levelname": "level", "name": "logger"},
            },
        },
        # gunicorn replaces its defaults key by key: every handler and logger it names is given here.
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False,
                               "qualname": "gunicorn.error"},
            # Off: the application logs each request itself, with its request and user ids.
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False,
                                "qualname": "gunicorn.access"},
        },
    }


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
