"""``Project.last_serial`` (PyPI's JSON API ``last_serial``): the id of the project's latest
audit event, kept by ``audit.services.event_record`` from now on, and filled here from the
events already recorded (0 for a project with none)."""

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Event = apps.get_model("audit", "Event")
    latest = (
        Event.objects.filter(project_id=OuterRef("pk"))
        .order_by()
        .values("project_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    Project.objects.update(last_serial=Coalesce(Subquery(latest), Value(0)))


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_event_context_authfailure"),
        ("projects", "0007_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="last_serial",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
