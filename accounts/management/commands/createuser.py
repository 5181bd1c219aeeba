"""``manage.py createuser USERNAME --email E [--password-stdin] [--staff] [--superuser]``.

Without ``--password-stdin`` the account gets an unusable password (token-only or
password set later). The password is read from standard input so it never appears in the
process list or the shell history.
"""

import sys

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import AccountError, user_create


class Command(BaseCommand):
    help = "Create a user account. Fails if the username is taken."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )
        parser.add_argument("--staff", action="store_true", help="may log in to the admin")
        parser.add_argument(
            "--superuser", action="store_true", help="every permission (implies --staff)"
        )

    def handle(self, *args, username, email, password_stdin, staff, superuser, **options):
        if not email.strip():
            raise CommandError("'' is not a valid email address.")
        password = None
        if password_stdin:
            stream = options.get("stdin") or sys.stdin
            password = stream.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input.")
            try:
                # The user as it would be, for the similarity validator.
                password_validation.validate_password(
                    password, User(username=username.strip(), email=email)
                )
            except ValidationError as exc:
                raise CommandError("Password rejected: " + " ".join(exc.messages)) from None
        try:
            user = user_create(
                username=username,
                email=email,
                password=password,
                is_staff=staff,
                is_superuser=superuser,
                actor=None,
            )
        except AccountError as exc:
            raise CommandError(exc.message) from None
        kind = "superuser" if superuser else "staff user" if staff else "user"
        self.stdout.write(f"Created {kind} '{user.username}'.")
