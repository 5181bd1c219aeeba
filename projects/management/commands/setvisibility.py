"""``manage.py setvisibility PROJECT public|private``."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Visibility
from projects.selectors import project_get
from projects.services import ServiceError, project_visibility_set


class Command(BaseCommand):
    help = "Make a project public or private (recorded in the audit trail)."

    def add_arguments(self, parser):
        parser.add_argument("project", help="project name, any spelling")
        parser.add_argument("visibility", choices=Visibility.values)

    def handle(self, *args, project, visibility, **options):
        found = project_get(name=project)
        if found is None:
            raise CommandError(f"Unknown project '{project}'.")
        previous = found.visibility
        try:
            # The operator's command: recorded as the system's.
            project_visibility_set(project=found, visibility=visibility, actor=None)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        if previous == visibility:
            self.stdout.write(f"Project '{found.name}' is already {visibility}.")
        else:
            self.stdout.write(f"Project '{found.name}' is now {visibility} (was {previous}).")
