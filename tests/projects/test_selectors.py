"""Reads (``projects.selectors``): each selector's filter and its fixed number of queries."""

import pytest

from access import Principal
from projects.models import Release
from projects.selectors import (
    file_duplicate_get,
    file_get,
    project_files_list,
    project_get,
    project_index_list,
    project_list,
    release_latest,
)
from tests import factories

pytestmark = pytest.mark.django_db


def releases(*versions: str) -> list[Release]:
    """Releases of one project, uploaded in this order; a ``!`` suffix marks one yanked."""
    project = factories.ProjectFactory()
    return [
        factories.ReleaseFactory(
            project=project, version=version.rstrip("!"), yanked=version.endswith("!")
        )
        for version in versions
    ]


@pytest.mark.parametrize("spelling", ["Foo.Bar_baz", "foo-bar-baz", "FOO__BAR.-BAZ"])
def test_project_get_finds_any_spelling(spelling):  # S1.7
    project = factories.ProjectFactory(name="Foo.Bar_baz")
    assert project_get(name=spelling) == project


def test_project_get_of_an_unknown_name_is_none():
    factories.ProjectFactory(name="foo")
    assert project_get(name="foo-bar") is None


def test_the_index_lists_what_the_principal_may_read_without_quarantined_projects(
    owner, private_project, public_project, anon
):  # S4.14, S1.42
    quarantined = factories.ProjectFactory(name="Bad-Pkg", status="quarantined")
    factories.ProjectRoleFactory(project=quarantined, user=owner)
    factories.ProjectFactory(name="Public-Quarantined", visibility="public", status="quarantined")
    factories.ProjectFactory(name="Someone-Elses", visibility="private")

    assert project_index_list(principal=Principal(owner)) == [
        ("Open-Pkg", "open-pkg"),
        ("Secret-Pkg", "secret-pkg"),
    ]
    assert project_index_list(principal=anon) == [("Open-Pkg", "open-pkg")]


def test_project_list_searches_names_in_any_spelling(owner, private_project, public_project):
    factories.ProjectFactory(name="Secret-Tool", visibility="private")  # not the owner's
    principal = Principal(owner)

    assert list(project_list(principal=principal)) == [public_project, private_project]
    assert list(project_list(principal=principal, query="SECRET_pkg")) == [private_project]
    assert list(project_list(principal=principal, query="pkg")) == [
        public_project, private_project
    ]  # fmt: skip
    assert list(project_list(principal=principal, query="secret")) == [private_project]
    assert list(project_list(principal=principal, query="nothing")) == []


def test_project_files_list_takes_one_query_however_many_files(
    public_project, django_assert_num_queries
):
    release = factories.ReleaseFactory(project=public_project, version="1.0")
    factories.FileFactory(release=release)
    with django_assert_num_queries(1):
        assert len(project_files_list(project=public_project)) == 1

    for version in ("1.1", "2.0"):
        other = factories.ReleaseFactory(project=public_project, version=version)
        factories.FileFactory.create_batch(3, release=other)
    with django_assert_num_queries(1):
        rows = project_files_list(project=public_project)

    assert len(rows) == 7
    assert {row.version for row in rows} == {"1.0", "1.1", "2.0"}


def test_a_quarantined_project_offers_no_files(django_assert_num_queries):  # S1.42
    project = factories.ProjectFactory(status="quarantined")
    factories.FileFactory(release=factories.ReleaseFactory(project=project))
    with django_assert_num_queries(0):
        assert project_files_list(project=project) == []


@pytest.mark.parametrize(
    ("uploaded", "latest"),
    [
        (["2.0.0", "1.0.1"], "2.0.0"),  # a backport uploaded last is not the current release
        (["9.0", "10.0"], "10.0"),  # versions compare as versions, not strings
        (["1.0", "1.2rc1"], "1.0"),  # a newer pre-release does not replace a final release
        (["1.0", "2.0.dev1"], "1.0"),  # a development release is a pre-release too
        (["1.0", "1.0.post1"], "1.0.post1"),  # a post-release is final
        (["1.2rc1", "1.1rc1"], "1.2rc1"),  # only pre-releases: the highest of them
        (["1.0", "2.0!"], "1.0"),  # yanked releases are passed over
        (["1.0!", "2.0rc1"], "2.0rc1"),  # even for a pre-release
        (["1.0!", "2.0!"], "2.0"),  # unless every release is yanked
        (["1.0!", "2.0rc1!"], "1.0"),  # and then the same rule among them
    ],
)
def test_release_latest_is_pypis_current_release(uploaded, latest, django_assert_num_queries):
    candidates = releases(*uploaded)
    with django_assert_num_queries(0):
        assert release_latest(candidates).version == latest
    assert release_latest(reversed(candidates)).version == latest  # the order given is irrelevant


def test_a_version_that_does_not_parse_sorts_below_every_one_that_does():
    # Uploads refuse such versions; rows written some other way may still hold one.
    assert release_latest(releases("1.0rc1", "not-a-version")).version == "1.0rc1"


def test_release_latest_of_no_releases_is_none():
    assert release_latest([]) is None


def test_file_get_returns_the_file_with_its_project_in_one_query(django_assert_num_queries):
    file = factories.FileFactory()
    with django_assert_num_queries(1):
        found = file_get(filename=file.filename)
        assert found.release.project == file.release.project
    assert found == file
    assert file_get(filename="nope-1.0-py3-none-any.whl") is None


def test_file_get_hides_the_files_of_a_quarantined_project():  # S1.42
    project = factories.ProjectFactory(status="quarantined")
    file = factories.FileFactory(release=factories.ReleaseFactory(project=project))
    assert file_get(filename=file.filename) is None


def test_a_duplicate_filename_is_found_in_any_project():  # S3.14, S3.15: filenames are global
    file = factories.FileFactory()
    other = factories.ProjectFactory()
    assert file_duplicate_get(filename=file.filename, blake2_256="0" * 64, project=other) == file
    assert file_duplicate_get(filename=file.filename, blake2_256="0" * 64, project=None) == file


def test_duplicate_bytes_are_looked_for_within_the_project_only():  # S3.14, S4.12
    file = factories.FileFactory()
    mine, other = file.release.project, factories.ProjectFactory()

    def duplicate(project):
        return file_duplicate_get(
            filename="renamed-1.0-py3-none-any.whl", blake2_256=file.blake2_256, project=project
        )

    assert duplicate(mine) == file
    assert duplicate(other) is None  # an upload must not learn what another project holds
    assert duplicate(None) is None  # a new project holds nothing yet
