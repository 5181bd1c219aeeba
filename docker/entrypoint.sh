#!/bin/sh
# privindex: one image, one role per container (docker-compose.yml).
#
#   entrypoint.sh web          gunicorn serving privindex.wsgi on $PRIVINDEX_BIND
#   entrypoint.sh worker       a Celery worker (stores uploaded files)
#   entrypoint.sh beat         the Celery beat scheduler (runs the staged-file sweeper)
#   entrypoint.sh init         migrate, then create the bucket (run once before the others)
#   entrypoint.sh migrate | createbucket | manage <command> ... | <any command>
#
# The stack test (tests/stack) runs these same commands natively, with the virtualenv first
# on PATH, so what it proves is what compose runs.
set -eu

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
  web)
    "$PYTHON" manage.py collectstatic --noinput -v0
    # %(U)s is the path without the query string: no credentials in the access log.
    exec gunicorn privindex.wsgi:application \
      --bind "${PRIVINDEX_BIND:-0.0.0.0:8000}" \
      --workers "${GUNICORN_WORKERS:-2}" \
      --threads "${GUNICORN_THREADS:-4}" \
      --timeout "${GUNICORN_TIMEOUT:-300}" \
      --graceful-timeout 30 \
      --access-logfile - \
      --access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms' \
      "$@"
    ;;
  worker)
    exec celery -A privindex worker \
      --concurrency "${CELERY_CONCURRENCY:-2}" -P prefork \
      --loglevel "${LOG_LEVEL:-INFO}" --without-gossip --without-mingle \
      "$@"
    ;;
  beat)
    # The schedule file lives in PRIVINDEX_DATA_DIR (CELERY_BEAT_SCHEDULE_FILENAME).
    exec celery -A privindex beat --loglevel "${LOG_LEVEL:-INFO}" "$@"
    ;;
  migrate)
    exec "$PYTHON" manage.py migrate --noinput "$@"
    ;;
  createbucket)
    exec "$PYTHON" manage.py createbucket "$@"
    ;;
  init)
    "$PYTHON" manage.py migrate --noinput
    exec "$PYTHON" manage.py createbucket
    ;;
  manage)
    exec "$PYTHON" manage.py "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
