"""``manage.py team ACTION ORG TEAM ...``: an organization's teams, their members and their
roles on the organization's projects.

- ``team create ORG TEAM`` / ``team delete ORG TEAM``;
- ``team add ORG TEAM USERNAME`` / ``team remove ORG TEAM USERNAME`` (a team's members are
  members of its organization: adding anyone else is refused);
- ``team grant ORG TEAM --project NAME --role owner|maintainer|reader`` /
  ``team revoke ORG TEAM --project NAME`` (only on the organization's own projects).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Team, User
from accounts.selectors import organization_by_name
from accounts.services import (
    AccountError,
    team_create,
    team_delete,
    team_member_add,
    team_member_remove,
)
from projects.models import Project, ProjectRoleName
from projects.selectors import project_get
from projects.services import ServiceError, team_project_role_remove, team_project_role_set


class Command(BaseCommand):
    help = "Manage an organization's teams, their members and their project roles (audited)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="create|delete|add|remove|grant|revoke"
        )
        subs = {
            "create": actions.add_parser("create", help="create an empty team"),
            "delete": actions.add_parser("delete", help="delete a team and its roles"),
            "add": actions.add_parser("add", help="add a member of the organization"),
            "remove": actions.add_parser("remove", help="take a member out of the team"),
            "grant": actions.add_parser("grant", help="give the team a role on a project"),
            "revoke": actions.add_parser("revoke", help="take the team's project role away"),
        }
        for sub in subs.values():
            sub.add_argument("organization", help="the organization's name, any spelling")
            sub.add_argument("team", help="the team's name, exactly")
        for name in ("add", "remove"):
            subs[name].add_argument("username")
        for name in ("grant", "revoke"):
            subs[name].add_argument(
                "--project", required=True, help="a project of the organization, any spelling"
            )
        subs["grant"].add_argument("--role", choices=ProjectRoleName.values, required=True)

    def handle(
        self,
        *args: Any,
        action: str,
        organization: str,
        team: str,
        username: str | None = None,
        project: str | None = None,
        role: str | None = None,
        **options: Any,
    ) -> None:
        org = organization_by_name(name=organization)
        if org is None:
            raise CommandError(f"Unknown organization '{organization}'.")
        if action == "create":
            try:
                # The operator's command: recorded as the system's (so is every action here).
                created = team_create(organization=org, name=team, actor=None)
            except AccountError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"Created team '{created.name}' in '{org.name}'.")
            return
        found = Team.objects.filter(organization=org, name=team.strip()).first()
        if found is None:
            raise CommandError(f"'{org.name}' has no team '{team}'.")
        label = f"'{org.name}/{found.name}'"
        try:
            if action == "delete":
                team_delete(team=found, actor=None)
                self.stdout.write(f"Deleted team {label}.")
            elif action in ("add", "remove"):
                assert username is not None  # required by both parsers
                user = _user(username)
                if action == "add":
                    team_member_add(team=found, user=user, actor=None)
                    self.stdout.write(f"Added '{user.username}' to team {label}.")
                else:
                    team_member_remove(team=found, user=user, actor=None)
                    self.stdout.write(f"Removed '{user.username}' from team {label}.")
            else:
                assert project is not None  # required by both parsers
                target = _project(project)
                if action == "grant":
                    assert role is not None  # required
                    team_project_role_set(project=target, team=found, role=role, actor=None)
                    self.stdout.write(f"Team {label} is now {role} of '{target.name}'.")
                else:
                    team_project_role_remove(project=target, team=found, actor=None)
                    self.stdout.write(f"Team {label} no longer has a role on '{target.name}'.")
        except (AccountError, ServiceError) as exc:
            raise CommandError(exc.message) from None


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"Unknown user '{username}'.")
    return user


def _project(name: str) -> Project:
    project = project_get(name=name)
    if project is None:
        raise CommandError(f"Unknown project '{name}'.")
    return project
