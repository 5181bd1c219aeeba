"""What every page may need to know about accounts: whether sign-up is open (the sign-in page
links to it only then)."""

from django.conf import settings
from django.http import HttpRequest


def accounts(request: HttpRequest) -> dict[str, bool]:
    return {"signup_open": bool(settings.PRIVINDEX_SIGNUP)}
