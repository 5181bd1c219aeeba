"""``manage.py revokenamespace NAMESPACE [--children]``."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from namespaces.selectors import namespace_get
from namespaces.services import NamespaceError, namespace_revoke


class Command(BaseCommand):
    help = (
        "Revoke a PEP 752 namespace grant. Projects in it stay as they are, and the name may "
        "be granted again. A root grant with child grants is refused unless --children, which "
        "revokes the children too. Recorded in the audit trail."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("namespace", help="the namespace, any spelling")
        parser.add_argument(
            "--children", action="store_true", help="revoke its child grants with it"
        )

    def handle(self, *args: Any, namespace: str, children: bool, **options: Any) -> None:
        grant = namespace_get(name=namespace)
        if grant is None:
            raise CommandError(f"No namespace '{namespace}' is granted.")
        try:
            # The operator's command: recorded as the system's.
            revoked = namespace_revoke(grant=grant, children=children, actor=None)
        except NamespaceError as exc:
            raise CommandError(exc.message) from None
        *kids, root = revoked
        line = f"Revoked namespace '{root.normalized_name}' of {root.owner_label}"
        if kids:
            line += " and its children " + ", ".join(f"'{kid.normalized_name}'" for kid in kids)
        self.stdout.write(line + ".")
