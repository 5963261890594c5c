#!/usr/bin/env bash
# Serve the application with a Celery worker and beat; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${VENV:-.venv}/bin
pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

if [ -z "${DATABASE_URL:-}" ]; then echo "DATABASE_URL unset: using the embedded SQLite database (db.sqlite3)."; fi
if [ -z "${REDIS_URL:-}" ]; then echo "REDIS_URL unset: using the embedded file-system Celery broker (var/celery-broker)."; fi

"$PY/celery" -A config worker --loglevel=INFO --concurrency=2 &
pids+=($!)
"$PY/celery" -A config beat --loglevel=INFO --pidfile= &
pids+=($!)
"$PY/python" manage.py runserver 127.0.0.1:8000 &
pids+=($!)

sleep 2
cat <<MSG

  The application runs at http://127.0.0.1:8000  (API docs: /api/v1/docs/)
  Demo logins, all with the password ${DEMO_PASSWORD:-demo-pass-2025}:
    official                 municipal official of Zibo
    secretariat              secretariat of the Zibo National High-tech Zone alliance
    director1 … director9    that alliance's council (director1 is the chair)
    contact                  contact of a member enterprise
    expert1 … expert3        expert reviewers
  Ctrl-C stops the server, the worker and beat.

MSG
wait -n "${pids[@]}"
