"""The Celery application. Configured from Django settings (``CELERY_*``).

Without ``CELERY_BROKER_URL`` tasks run eagerly in the web process (embedded default).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privindex.settings")

app = Celery("privindex")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
