"""The GIN indexes of the web search (migration 0007): they exist on PostgreSQL, the search's
query is planned through them (an expression index serves only the very same expression), and
on another backend the migration does nothing."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from access import Principal
from projects import selectors
from projects.models import Project, Release
from tests import factories

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's full-text search"
)
migration = importlib.import_module("projects.migrations.0007_search_indexes")
INDEXES = {
    "projects_project_name_search": "projects_project",
    "projects_release_summary_search": "projects_release",
}


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [list(INDEXES)],
        )
        return dict(cursor.fetchall())


@postgresql_only
@pytest.mark.django_db
def test_the_search_indexes_exist():
    found = _indexes()

    assert set(found) == set(INDEXES)
    for name, table in INDEXES.items():
        assert f" ON public.{table} USING gin (to_tsvector('english'::regconfig" in found[name]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        # A test's few rows are cheaper to scan than to look up; the question here is whether
        # the planner can use the indexes at all, i.e. whether the expressions are the same.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize("query", ["acme reader", '"csv readers" -json'])
def test_the_search_is_planned_through_both_indexes(query):
    project = factories.ProjectFactory(name="acme-tools", visibility="public")
    factories.ReleaseFactory(project=project, version="1.0", summary="Fast CSV readers")
    for n in range(20):
        other = factories.ProjectFactory(name=f"pkg-{n}", visibility="public")
        factories.ReleaseFactory(project=other, version="1.0", summary=f"Summary {n}")

    with CaptureQueriesContext(connection) as queries:
        found = selectors.project_search(principal=Principal(), query=query)
    assert found == [project.pk]

    search = next(q["sql"] for q in queries if "@@" in q["sql"])
    plan = _plan(search)
    for name in INDEXES:
        assert f"Bitmap Index Scan on {name}" in plan, plan


# Names and summaries whose words meet across the two (acme-tools, "Fast CSV readers"), and
# queries with phrases, negations, OR and stop words.
TEXTS = [
    ("acme-tools", "Fast CSV readers"),
    ("parsekit", "A widget for parsing"),
    ("json-reader", "tools fast"),
    ("csv.tools", "json tools for acme"),
    ("the-thing", "the"),
    ("readers-digest", "Acme's widgets, fast!"),
    ("fast", ""),
]
QUERIES = [
    "acme reader", "widgets", '"csv readers" -json', "the", "-json", '"tools fast"',
    "acme or parse", "fast -acme", "acme -tools", "reader -csv", "digest", "thing -the",
    "acme's", "'", "tool -json -csv",
]  # fmt: skip


@postgresql_only
@pytest.mark.django_db
def test_the_indexed_search_finds_what_the_one_expression_finds():
    """The search reaches releases through the two indexes; it finds exactly the projects a
    release of which matches on its project's name and summary searched as one text."""
    for name, summary in TEXTS:
        project = factories.ProjectFactory(name=name, visibility="public")
        factories.ReleaseFactory(project=project, version="1.0", summary=summary)

    for query in QUERIES:
        text = SearchQuery(query, config="english", search_type="websearch")
        one = Release.objects.annotate(
            search=SearchVector("project__name", "summary", config="english")
        ).filter(search=text, project_id=OuterRef("pk"))
        expected = set(Project.objects.filter(Exists(one)).values_list("name", flat=True))
        _names, by_text, _releases = selectors._search_matches(query)
        found = set(Project.objects.filter(by_text).values_list("name", flat=True))
        assert found == expected, query


@postgresql_only
@pytest.mark.django_db
def test_the_migration_drops_and_creates_them():
    with connection.schema_editor() as editor:
        migration.drop(None, editor)
    assert _indexes() == {}
    with connection.schema_editor() as editor:
        migration.create(None, editor)
    assert set(_indexes()) == set(INDEXES)


@pytest.mark.parametrize("step", ["create", "drop"])
def test_on_another_backend_the_migration_does_nothing(step):
    done = []
    editor = SimpleNamespace(connection=SimpleNamespace(vendor="sqlite"), execute=done.append)

    getattr(migration, step)(None, editor)

    assert done == []
