"""``manage.py createuser USERNAME --email E [--password-stdin] [--staff] [--superuser]``.

Without ``--password-stdin`` the account gets an unusable password (token-only or
password set later). The password is read from standard input so it never appears in the
process list or the shell history.
"""

import sys

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction


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
        User = get_user_model()
        username = User.normalize_username(username.strip())
        if not username:
            raise CommandError("The username must not be empty.")
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"'{email}' is not a valid email address.") from None
        # Case-insensitively, as the admin's user form checks: "Alice" next to "alice" misleads.
        existing = User.objects.filter(username__iexact=username).first()
        if existing is not None:
            raise CommandError(f"User '{existing.username}' already exists.")

        user = User(
            username=username,
            email=User.objects.normalize_email(email),
            is_staff=staff or superuser,
            is_superuser=superuser,
        )
        if password_stdin:
            stream = options.get("stdin") or sys.stdin
            password = stream.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input.")
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                raise CommandError("Password rejected: " + " ".join(exc.messages)) from None
            user.set_password(password)
        else:
            user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise CommandError(f"User '{username}' already exists.") from None
        kind = "superuser" if superuser else "staff user" if staff else "user"
        self.stdout.write(f"Created {kind} '{username}'.")
