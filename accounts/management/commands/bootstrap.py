"""``manage.py bootstrap``: the first administrator, run by ``make run`` at every start.

On an empty user table, create the superuser ``admin`` with the password from
``PRIVINDEX_ADMIN_PASSWORD``, or else a random one printed once. Otherwise do nothing and
print nothing, so a restart never changes or reveals a password.
"""

import os
import secrets

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import AccountError, user_create

USERNAME = "admin"
EMAIL = "admin@localhost"
PASSWORD_ENV = "PRIVINDEX_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = "Create the first administrator if there is no user at all (idempotent)."

    def handle(self, *args, **options):
        if User.objects.exists():
            return
        password = os.environ.get(PASSWORD_ENV, "")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(18)
        try:
            user_create(
                username=USERNAME, email=EMAIL, password=password, is_superuser=True, actor=None
            )
        except AccountError as exc:
            if exc.status == 409:
                return  # another process bootstrapped at the same moment
            raise CommandError(exc.message) from None
        if generated:
            line = f"privindex: created administrator '{USERNAME}' with password {password}"
            note = "privindex: this password is shown once; change it after logging in."
        else:
            line = (
                f"privindex: created administrator '{USERNAME}' with the password "
                f"from {PASSWORD_ENV}"
            )
            note = ""
        rule = "=" * len(line)
        self.stdout.write("\n".join(x for x in (rule, line, note, rule) if x))
