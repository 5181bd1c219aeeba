"""The content type of ``Event`` follows the model to the audit app.

Moving the model (``projects`` 0005, ``audit`` 0001) changed no row, so a database migrated
from before the move still has the content type ``('projects', 'event')``: the permissions
granted on it (``projects.view_event``) and the admin's log entries point at it, and
``remove_stale_contenttypes`` would delete it with them. Relabelling it keeps them, now as
``audit.view_event``. A fresh database has no such row (content types are created after the
migrations run), and a database where ``('audit', 'event')`` exists already is left alone.
"""

from django.db import migrations

MODEL = "event"


def relabel_to_audit(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    types = ContentType.objects.using(db)
    if not types.filter(app_label="audit", model=MODEL).exists():
        types.filter(app_label="projects", model=MODEL).update(app_label="audit")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Backwards there is nothing to undo: at ``audit`` 0001 the model is already the audit
    # app's, so ``('audit', 'event')`` is its right label there too.
    operations = [
        migrations.RunPython(relabel_to_audit, migrations.RunPython.noop, elidable=False),
    ]
