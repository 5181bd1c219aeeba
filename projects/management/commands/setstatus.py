"""``manage.py setstatus PROJECT active|archived|deprecated|quarantined [--reason TEXT]``."""

from django.core.management.base import BaseCommand, CommandError

from projects.models import ProjectStatus
from projects.selectors import project_get
from projects.services import ServiceError, project_status_set


class Command(BaseCommand):
    help = "Set a project's PEP 792 status (recorded in the audit trail)."

    def add_arguments(self, parser):
        parser.add_argument("project", help="project name, any spelling")
        parser.add_argument("status", choices=ProjectStatus.values)
        parser.add_argument(
            "--reason",
            help="shown to users with the status (none for active; without it, an unchanged "
            "status keeps its reason)",
        )

    def handle(self, *args, project, status, reason, **options):
        found = project_get(name=project)
        if found is None:
            raise CommandError(f"Unknown project '{project}'.")
        try:
            # The operator's command: recorded as the system's.
            project_status_set(project=found, status=status, reason=reason, actor=None)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Project '{found.name}' is now {status}.")
