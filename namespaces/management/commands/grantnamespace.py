"""``manage.py grantnamespace NAMESPACE (--org ORG | --user USERNAME) [--open] [--hidden]``."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.selectors import organization_by_name
from namespaces.services import NamespaceError, namespace_grant


class Command(BaseCommand):
    help = (
        "Grant a PEP 752 namespace to an organization or a user: new projects named NAMESPACE "
        "or NAMESPACE-... may then be created only by its holder (unless --open). A namespace "
        "inside an existing grant (foo-bar inside foo) becomes a child of that root grant, "
        "found automatically, and must go to the same owner. Recorded in the audit trail."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("namespace", help="a valid project name, any spelling")
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--org", help="the organization that holds it (its name)")
        owner.add_argument("--user", help="the user who holds it (their username)")
        parser.add_argument("--open", action="store_true", help="anyone may create projects in it")
        parser.add_argument(
            "--hidden",
            action="store_true",
            help="reserved, but not shown by the JSON API except to its holder and staff",
        )

    def handle(
        self,
        *args: Any,
        namespace: str,
        org: str | None,
        user: str | None,
        open: bool,
        hidden: bool,
        **options: Any,
    ) -> None:
        organization = None
        holder = None
        if org is not None:
            organization = organization_by_name(name=org)
            if organization is None:
                raise CommandError(f"Unknown organization '{org}'.")
        else:
            assert user is not None  # the group is required
            holder = User.objects.filter(username__iexact=user).first()
            if holder is None:
                raise CommandError(f"Unknown user '{user}'.")
        try:
            # The operator's command: recorded as the system's.
            grant = namespace_grant(
                name=namespace,
                organization=organization,
                user=holder,
                open=open,
                hidden=hidden,
                actor=None,
            )
        except NamespaceError as exc:
            raise CommandError(exc.message) from None
        traits = [
            f"a child of '{grant.parent.normalized_name}'" if grant.parent else "a root grant",
            "open" if grant.open else "restricted",
        ]
        if grant.hidden:
            traits.append("hidden")
        self.stdout.write(
            f"Granted namespace '{grant.name}' ({grant.normalized_name}) to "
            f"{grant.owner_label}: {', '.join(traits)}."
        )
