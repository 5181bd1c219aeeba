"""``manage.py createtoken (USERNAME | --org-owned ORG) --scope S [--scope S] [--project P] ...``.

A personal token acts for USERNAME, narrowed by its scopes and restrictions (``--org``: only
that organization's projects, which USERNAME must be a member of). An organization token
(``--org-owned ORG``) has no user: it belongs to ORG (read and upload only, on its projects or
on the ``--project`` ones, which must be ORG's) and outlives whoever made it; ``--created-by``
names the owner or manager recorded as its issuer, otherwise the system issues it.

Standard output carries the new token and nothing else, so scripts can capture it:
``TOKEN=$(python manage.py createtoken alice --scope read)``. Its public identifier goes to
standard error for reference.
"""

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from access import Action, Principal, decide_organization
from accounts.models import Organization
from accounts.selectors import organization_by_name
from projects.selectors import project_get
from tokens.models import Scope
from tokens.services import EXPIRY_TOO_LONG, TokenError, token_issue


class Command(BaseCommand):
    help = "Issue an API token for a user or an organization and print it (shown once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", nargs="?", help="the token's user (or --org-owned)")
        parser.add_argument(
            "--org-owned",
            metavar="ORG",
            help="issue an organization token, owned by ORG and by no user (read, upload)",
        )
        parser.add_argument(
            "--created-by",
            metavar="USERNAME",
            help="with --org-owned: the owner or manager of ORG recorded as its issuer",
        )
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
        username: str | None,
        org_owned: str | None,
        created_by: str | None,
        scopes: list[str],
        projects: list[str],
        org: str | None,
        expires_in_days: int | None,
        name: str,
        **options: Any,
    ) -> None:
        if (username is None) == (org_owned is None):
            raise CommandError("Give either a USERNAME or --org-owned ORG (exactly one).")
        if org_owned is not None and org is not None:
            raise CommandError(
                "--org restricts a personal token; an organization token covers its own "
                "organization's projects only."
            )
        if org_owned is None and created_by is not None:
            raise CommandError("--created-by names the issuer of an organization token only.")
        User = get_user_model()
        user = None
        if username is not None:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"Unknown user '{username}'.")
        owning = _organization(org_owned) if org_owned is not None else None
        issuer = None
        if owning is not None and created_by is not None:
            issuer = User.objects.filter(username=created_by).first()
            if issuer is None:
                raise CommandError(f"Unknown user '{created_by}'.")
            if not issuer.is_active:
                raise CommandError(f"'{issuer.username}' is deactivated.")
            decision = decide_organization(
                Principal(user=issuer), Action.ORGANIZATION_TOKENS_ISSUE, owning, surface=None
            )
            if not decision:
                raise CommandError(
                    f"'{issuer.username}' may not issue tokens of '{owning.name}': only its "
                    "owners and managers may."
                )
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
        organization = _organization(org) if org is not None else owning
        expires_in = None
        if expires_in_days is not None:
            if expires_in_days < 1:
                raise CommandError("--expires-in-days must be at least 1.")
            try:
                expires_in = dt.timedelta(days=expires_in_days)
            except OverflowError:  # past any date; token_issue refuses far less
                raise CommandError(EXPIRY_TOO_LONG) from None
        try:
            # Issued by the operator, not by the token's owner: the event has no actor (or,
            # for an organization token, the --created-by issuer the operator names).
            issued = token_issue(
                user=user,
                scopes=scopes,
                name=name,
                projects=project_list,
                organization=organization,
                expires_in=expires_in,
                created_by=issuer,
                actor=None,  # the operator's command; ``created_by`` names the person
            )
        except TokenError as exc:
            raise CommandError(str(exc)) from None
        if user is None:
            assert owning is not None
            self.stderr.write(
                f"issued organization token {issued.token.identifier} for '{owning.name}'"
            )
        else:
            if not user.is_active:
                self.stderr.write(
                    f"warning: user '{username}' is inactive; the token will not work."
                )
            self.stderr.write(f"issued token {issued.token.identifier} for '{username}'")
        self.stdout.write(issued.secret)


def _organization(name: str) -> Organization:
    organization = organization_by_name(name=name)
    if organization is None:
        raise CommandError(f"Unknown organization '{name}'.")
    return organization
