"""``manage.py createorg NAME --owner USERNAME [--default-visibility public|private]``."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User, Visibility
from accounts.services import AccountError, organization_create


class Command(BaseCommand):
    help = (
        "Create an organization with its first owner (recorded in the audit trail). Fails if "
        "the name, normalized, is taken."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name", help="the organization's name, as it is to be shown")
        parser.add_argument("--owner", required=True, help="the username of its first owner")
        parser.add_argument(
            "--default-visibility",
            choices=Visibility.values,
            default=Visibility.PRIVATE,
            help="the visibility of its new projects (default: private)",
        )

    def handle(
        self, *args: Any, name: str, owner: str, default_visibility: str, **options: Any
    ) -> None:
        user = User.objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"Unknown user '{owner}'.")
        try:
            # The operator's command: recorded as the system's. One transaction: an owner
            # who cannot join (deactivated) leaves no organization behind.
            organization = organization_create(
                name=name, default_visibility=default_visibility, owner=user, actor=None
            )
        except AccountError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Created organization '{organization.name}' ({organization.normalized_name}), "
            f"owned by '{user.username}'; new projects are {default_visibility}."
        )
