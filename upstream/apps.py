from django.apps import AppConfig


class UpstreamConfig(AppConfig):
    name = "upstream"
    default_auto_field = "django.db.models.BigAutoField"
