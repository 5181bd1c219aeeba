from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Sign-ins, failed sign-ins and sign-outs in the audit trail.
        from accounts import signals  # noqa: F401
