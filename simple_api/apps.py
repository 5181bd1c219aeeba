from django.apps import AppConfig


class SimpleApiConfig(AppConfig):
    name = "simple_api"
    default_auto_field = "django.db.models.BigAutoField"
