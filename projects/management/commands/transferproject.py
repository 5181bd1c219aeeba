"""``manage.py transferproject PROJECT (--org ORG | --user USERNAME)``."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.selectors import organization_by_name
from projects.selectors import project_get
from projects.services import ServiceError, project_transfer


class Command(BaseCommand):
    help = (
        "Move a project into an organization (its personal roles go: its rights then come from "
        "the organization and its teams), or out of its organization to a user, who becomes "
        "its owner. Recorded in the audit trail."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("project", help="project name, any spelling")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--org", help="the organization to move it into (its name)")
        target.add_argument("--user", help="the user to give it to (their username)")

    def handle(
        self, *args: Any, project: str, org: str | None, user: str | None, **options: Any
    ) -> None:
        found = project_get(name=project)
        if found is None:
            raise CommandError(f"Unknown project '{project}'.")
        organization = None
        owner = None
        if org is not None:
            organization = organization_by_name(name=org)
            if organization is None:
                raise CommandError(f"Unknown organization '{org}'.")
        else:
            assert user is not None  # the group is required
            owner = User.objects.filter(username=user).first()
            if owner is None:
                raise CommandError(f"Unknown user '{user}'.")
        previous = found.organization.name if found.organization is not None else None
        try:
            # The operator's command: recorded as the system's.
            project_transfer(project=found, organization=organization, user=owner, actor=None)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        if organization is not None:
            where = f"'{organization.name}'"
        else:
            assert owner is not None
            where = f"user '{owner.username}'"
        came = f" (from '{previous}')" if previous is not None else ""
        self.stdout.write(f"Transferred '{found.name}' to {where}{came}.")
