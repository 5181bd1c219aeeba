from django.apps import AppConfig


class StorageConfig(AppConfig):
    """Where file bytes live: no models, only the store, staging, the pipeline and its tasks."""

    name = "storage"
    label = "storage"
