"""``manage.py createtoken USERNAME --scope S [--scope S] [--project P] [--org O] ...``.

Standard output carries the new token and nothing else, so scripts can capture it:
``TOKEN=$(python manage.py createtoken alice --scope read)``. Its public identifier goes to
standard error for reference.
"""

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from packaging.utils import canonicalize_name

from accounts.models import Organization
from projects.selectors import project_get
from tokens.models import Scope
from tokens.services import EXPIRY_TOO_LONG, TokenError, token_issue


class Command(BaseCommand):
    help = "Issue an API token for a user and print it (shown once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--scope",
            dest="scopes",
            action="append",
            required=True,
            help=f"one of {', '.join(Scope.values)}; repeat for several",
        )
        parser.add_argument(
            "--project",
            dest="projects",
            action="append",
            default=[],
            help="restrict the token to this project (any spelling); repeatable",
        )
        parser.add_argument("--org", help="restrict the token to this organization's projects")
        parser.add_argument("--expires-in-days", type=int, help="expire after N days")
        parser.add_argument("--name", default="", help="a label for the token")

    def handle(
        self,
        *args: Any,
        username: str,
        scopes: list[str],
        projects: list[str],
        org: str | None,
        expires_in_days: int | None,
        name: str,
        **options: Any,
    ) -> None:
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Unknown user '{username}'.")
        unknown = sorted(set(scopes) - set(Scope.values))
        if unknown:
            raise CommandError(
                f"Unknown scope(s): {', '.join(unknown)}. Choose from {', '.join(Scope.values)}."
            )
        project_list = []
        for project_name in projects:
            project = project_get(name=project_name)
            if project is None:
                raise CommandError(f"Unknown project '{project_name}'.")
            project_list.append(project)
        organization = None
        if org is not None:
            organization = Organization.objects.filter(
                normalized_name=canonicalize_name(org)
            ).first()
            if organization is None:
                raise CommandError(f"Unknown organization '{org}'.")
        expires_in = None
        if expires_in_days is not None:
            if expires_in_days < 1:
                raise CommandError("--expires-in-days must be at least 1.")
            try:
                expires_in = dt.timedelta(days=expires_in_days)
            except OverflowError:  # past any date; token_issue refuses far less
                raise CommandError(EXPIRY_TOO_LONG) from None
        try:
            # Issued by the operator, not by the token's owner: the event has no actor.
            issued = token_issue(
                user=user,
                scopes=scopes,
                name=name,
                projects=project_list,
                organization=organization,
                expires_in=expires_in,
                actor=None,
            )
        except TokenError as exc:
            raise CommandError(str(exc)) from None
        if not user.is_active:
            self.stderr.write(f"warning: user '{username}' is inactive; the token will not work.")
        self.stderr.write(f"issued token {issued.token.identifier} for '{username}'")
        self.stdout.write(issued.secret)
