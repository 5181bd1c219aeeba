"""``manage.py orgmember add|remove|role ORG USERNAME [--role owner|manager|member]``.

``add`` takes in a user who is not yet a member (as a member unless ``--role`` says
otherwise); ``role`` changes a member's role; ``remove`` takes a member out, with their teams,
their personal roles on the organization's projects and their tokens restricted to it
(``accounts.services.organization_member_remove``). The organization's last owner is neither
demoted nor removed.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import OrganizationMember, OrganizationRole, User
from accounts.selectors import organization_by_name
from accounts.services import AccountError, organization_member_remove, organization_member_set


class Command(BaseCommand):
    help = "Add, remove or change the role of a member of an organization (audited)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="add|remove|role")
        add = actions.add_parser("add", help="make a user a member")
        remove = actions.add_parser("remove", help="take a member out of the organization")
        role = actions.add_parser("role", help="change a member's role")
        for sub in (add, remove, role):
            sub.add_argument("organization", help="the organization's name, any spelling")
            sub.add_argument("username")
        add.add_argument("--role", choices=OrganizationRole.values, default=OrganizationRole.MEMBER)
        role.add_argument("--role", choices=OrganizationRole.values, required=True)

    def handle(
        self,
        *args: Any,
        action: str,
        organization: str,
        username: str,
        role: str | None = None,
        **options: Any,
    ) -> None:
        org = organization_by_name(name=organization)
        if org is None:
            raise CommandError(f"Unknown organization '{organization}'.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Unknown user '{username}'.")
        member = OrganizationMember.objects.filter(organization=org, user=user).first()
        # "add" never changes a member's role by surprise; "role" never adds anyone.
        if action == "add" and member is not None:
            raise CommandError(
                f"'{user.username}' is already a member of '{org.name}' ({member.role}): "
                "use 'orgmember role' to change their role."
            )
        if action == "role" and member is None:
            raise CommandError(
                f"'{user.username}' is not a member of '{org.name}': use 'orgmember add'."
            )
        try:
            # The operator's command: recorded as the system's.
            if action == "remove":
                organization_member_remove(organization=org, user=user, actor=None)
            else:
                assert role is not None  # a default for add, required for role
                organization_member_set(organization=org, user=user, role=role, actor=None)
        except AccountError as exc:
            raise CommandError(exc.message) from None
        if action == "remove":
            self.stdout.write(f"Removed '{user.username}' from '{org.name}'.")
        elif action == "add":
            self.stdout.write(f"Added '{user.username}' to '{org.name}' as {role}.")
        else:
            assert member is not None  # refused above otherwise
            if member.role == role:  # access: which message to print; the service decided
                self.stdout.write(f"'{user.username}' is already {role} of '{org.name}'.")
            else:
                self.stdout.write(
                    f"'{user.username}' is now {role} of '{org.name}' (was {member.role})."
                )
