"""The project list and search on ``/`` (issue 10): only what the viewer may read, by name and
by the current release's summary, 50 a page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access import Principal
from projects import selectors
from tests import factories

HOME = reverse("web:home")
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search is PostgreSQL's"
)


def _names(response):
    return [hit.project.name for hit in response.context["hits"]]


def _public(count, prefix="pkg"):
    for n in range(count):
        project = factories.ProjectFactory(name=f"{prefix}-{n:03}", visibility="public")
        factories.ReleaseFactory(project=project, version="1.0", summary=f"Summary {n}")


@pytest.fixture
def summaries(private_project, public_project):
    """A private and a public project whose current summaries say different things, and a
    word only an older release of the private project said."""
    factories.ReleaseFactory(project=private_project, version="0.9", summary="formerly zebra")
    factories.ReleaseFactory(
        project=private_project, version="1.0", summary="Internal billing widgets"
    )
    factories.ReleaseFactory(project=public_project, version="1.0", summary="Open weather data")


# --- who finds what ---------------------------------------------------------------------------


def test_a_reader_finds_a_private_project_by_its_summary(client, reader, summaries):
    client.force_login(reader)

    response = client.get(HOME, {"q": "billing"})

    assert _names(response) == ["Secret-Pkg"]
    assert b"Internal billing widgets" in response.content  # the summary is listed


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_nobody_else_finds_a_private_summary(client, outsider, summaries, who):
    if who == "outsider":
        client.force_login(outsider)

    response = client.get(HOME, {"q": "billing"})

    assert response.status_code == 200
    assert _names(response) == []
    assert response.context["total"] == 0
    assert b"Secret-Pkg" not in response.content
    assert b"billing widgets" not in response.content


def test_a_read_token_finds_its_private_project_by_summary(client, read_token, summaries):
    from tests.simple_api.helpers import basic

    response = client.get(HOME, {"q": "billing"}, **basic(read_token))

    assert _names(response) == ["Secret-Pkg"]


def test_only_the_current_releases_summary_is_searched(client, owner, summaries):
    client.force_login(owner)

    assert _names(client.get(HOME, {"q": "zebra"})) == []  # only release 0.9 said it


def test_the_current_release_is_the_selectors_not_the_newest_upload(client, owner, public_project):
    factories.ReleaseFactory(project=public_project, version="2.0", summary="stable giraffe")
    factories.ReleaseFactory(project=public_project, version="3.0a1", summary="preview okapi")
    factories.ReleaseFactory(project=public_project, version="1.5", summary="backport lemur")

    found = {word: _names(client.get(HOME, {"q": word})) for word in ("giraffe", "okapi", "lemur")}

    assert found == {"giraffe": ["Open-Pkg"], "okapi": [], "lemur": []}


def test_anonymous_list_has_public_projects_with_their_summaries(client, summaries):
    response = client.get(HOME)

    assert _names(response) == ["Open-Pkg"]
    assert response.context["hits"][0].summary == "Open weather data"
    assert response.context["hits"][0].release_count == 1


@pytest.mark.parametrize("query", ["acme", "ACME", "Acme_Widg", "widgets"])
def test_a_part_of_the_name_finds_the_project(client, db, query):
    factories.ProjectFactory(name="acme-widgets", visibility="public")
    factories.ProjectFactory(name="other", visibility="public")

    assert _names(client.get(HOME, {"q": query})) == ["acme-widgets"]


def test_name_matches_come_first_an_exact_one_first_of_all(client, db):
    for name, summary in [
        ("a-tools", "for acme users"),
        ("acme-extra", ""),
        ("acme", ""),
        ("b-acme-z", ""),
    ]:
        project = factories.ProjectFactory(name=name, visibility="public")
        factories.ReleaseFactory(project=project, version="1.0", summary=summary)

    assert _names(client.get(HOME, {"q": "acme"})) == ["acme", "acme-extra", "b-acme-z", "a-tools"]


@postgresql_only
def test_postgresql_searches_words_not_letters(client, db):
    project = factories.ProjectFactory(name="parsekit", visibility="public")
    factories.ReleaseFactory(project=project, version="1.0", summary="A widget for parsing")
    other = factories.ProjectFactory(name="acme-tools", visibility="public")
    factories.ReleaseFactory(project=other, version="1.0", summary="Fast CSV readers")

    assert _names(client.get(HOME, {"q": "widgets"})) == ["parsekit"]  # stemmed
    assert _names(client.get(HOME, {"q": "acme reader"})) == ["acme-tools"]  # name + summary
    assert _names(client.get(HOME, {"q": '"csv readers" -json'})) == ["acme-tools"]
    assert _names(client.get(HOME, {"q": "the"})) == []  # only a stop word: no error


@pytest.mark.parametrize("query", ["'", '"', "!", "&|", "(", "a:*", "\\", "%", "_", "ü" * 200])
def test_hostile_queries_are_answered(client, summaries, query):
    assert client.get(HOME, {"q": query}).status_code == 200


def test_selector_never_widens_the_read_twin(owner, outsider, summaries):
    assert selectors.project_search(principal=Principal(outsider), query="billing") == []
    hits = selectors.project_hits(
        principal=Principal(outsider),
        ids=list(selectors.project_search(principal=Principal(owner), query="")),
    )
    assert [hit.project.name for hit in hits] == ["Open-Pkg"]  # ids it may not read: dropped


# --- pages ------------------------------------------------------------------------------------


def test_fifty_a_page_with_links_that_keep_the_query(client, db):
    _public(120)

    first = client.get(HOME, {"q": "pkg"})
    third = client.get(HOME, {"q": "pkg", "page": "3"})

    assert len(_names(first)) == 50
    assert _names(first)[0] == "pkg-000"
    assert first.context["total"] == 120
    assert first.context["previous_url"] == ""
    assert first.context["next_url"] == "/?q=pkg&page=2"
    assert b'href="/?q=pkg&amp;page=2"' in first.content
    assert _names(third) == [f"pkg-{n:03}" for n in range(100, 120)]
    assert third.context["next_url"] == ""
    assert third.context["previous_url"] == "/?q=pkg&page=2"
    assert b"Page 3 of 3" in third.content


@pytest.mark.parametrize(
    ("page", "number"),
    [("0", 1), ("-1", 1), ("abc", 1), ("", 1), ("1.5", 1), ("99999", 3), ("9" * 5000, 1)],
)
def test_page_edges_are_a_page_never_an_error(client, db, page, number):
    _public(101)

    response = client.get(HOME, {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == number


def test_an_empty_list_is_one_empty_page(client, db):
    response = client.get(HOME, {"q": "nothing", "page": "7"})

    assert response.status_code == 200
    assert _names(response) == []
    assert b"No project matches" in response.content


# --- queries ----------------------------------------------------------------------------------


def _count(client, params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"q": "pkg"}, {"q": "summary"}, {"page": "2"}])
def test_the_query_count_does_not_grow_with_the_list(
    client, reader, django_assert_max_num_queries, params
):
    client.force_login(reader)
    _public(3)
    few = _count(client, params)
    _public(80, prefix="more-pkg")
    for n in range(0, 80, 8):  # more releases on some
        project = factories.ProjectFactory(name=f"multi-pkg-{n}", visibility="public")
        for minor in range(5):
            factories.ReleaseFactory(project=project, version=f"1.{minor}", summary="summary x")

    with django_assert_max_num_queries(few):
        assert client.get(HOME, params).status_code == 200
    assert few <= 9
