"""GIN indexes for the web search (PostgreSQL full-text search, ``projects.selectors``): on the
project's name and on a release's summary, each on exactly the expression the search asks
(``to_tsvector('english'::regconfig, COALESCE(<column>, ''))``, which is what
``SearchVector(<column>, config="english")`` compiles to), since an expression index serves
only a query with the same expression. Other backends have no such search: nothing to do."""

from django.db import migrations

# Kept as written here (a migration is history): projects.selectors.SEARCH_CONFIG, and the
# columns of its _name_vector() and _summary_vector().
CONFIG = "english"
INDEXES = {
    "projects_project_name_search": ("projects_project", "name"),
    "projects_release_summary_search": ("projects_release", "summary"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for index, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(index)} ON {quote(table)} USING gin "
            f"(to_tsvector('{CONFIG}'::regconfig, COALESCE({quote(column)}, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_file_removal"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
