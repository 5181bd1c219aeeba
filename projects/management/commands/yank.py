"""``manage.py yank PROJECT VERSION [--reason TEXT] [--undo]`` (PEP 592)."""

from django.core.management.base import BaseCommand, CommandError

from projects.selectors import project_get, release_get
from projects.services import release_yank_set


class Command(BaseCommand):
    help = "Yank a release (or un-yank it with --undo)."

    def add_arguments(self, parser):
        parser.add_argument("project", help="project name, any spelling")
        parser.add_argument("version", help="release version, any equivalent spelling")
        parser.add_argument("--reason", default="", help="why installers should avoid it")
        parser.add_argument("--undo", action="store_true", help="un-yank the release")

    def handle(self, *args, project, version, reason, undo, **options):
        if undo and reason:
            raise CommandError("--reason applies to yanking, not to --undo.")
        found = project_get(name=project)
        if found is None:
            raise CommandError(f"Unknown project '{project}'.")
        release = release_get(project=found, version=version)
        if release is None:
            raise CommandError(f"Project '{found.name}' has no release '{version}'.")
        # The operator's command: recorded as the system's.
        release_yank_set(release=release, yanked=not undo, reason=reason, actor=None)
        state = "un-yanked" if undo else "yanked"
        self.stdout.write(f"{found.name} {release.version} {state}.")
