"""The Celery application, configured from the Django settings named ``CELERY_*``.

With ``CELERY_BROKER_URL`` (Redis), ``celery -A privindex worker`` stores uploaded files and
``celery -A privindex beat`` schedules the staged-file sweeper (``docker/entrypoint.sh
worker|beat``). Without it, tasks run in the web process on commit (the embedded default).
Tasks are acknowledged late and given back when their worker dies, so each one is idempotent.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privindex.settings")

app = Celery("privindex")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
