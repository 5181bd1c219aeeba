"""The PyPI JSON API at parity (issue 11): PyPI's documented shape key for key, PyPI's
``info.version`` rule, a real ``last_serial``, and RFC 9457 problems for every error with the
hidden-404 identity (DESIGN 4, S4.12).

The shape is compared with ``pypi/sampleproject.json``: PyPI's documented example answer
(docs.pypi.org/api/json/), kept here, never fetched.
"""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from audit.models import Event
from audit.services import event_record
from projects import services
from projects.models import Project
from tests import dists, factories
from tests.simple_api.helpers import basic, file_with_bytes
from tokens.services import token_issue

pytestmark = pytest.mark.django_db

PYPI = json.loads((Path(__file__).parent / "pypi" / "sampleproject.json").read_text())
PYPI.pop("_source")
PROBLEM = "application/problem+json"


def _file_keys(entry: dict) -> set[str]:
    return set(entry)


@pytest.fixture
def sample(owner):
    """A public project with two releases, a wheel with metadata and an sdist without."""
    project = factories.ProjectFactory(name="Sample_Project", visibility="public")
    factories.ProjectRoleFactory(project=project, user=owner, role="owner")
    factories.ReleaseFactory(project=project, version="1.0")
    release = factories.ReleaseFactory(
        project=project, version="2.0", summary="A sample", requires_python=">=3.9"
    )
    file_with_bytes(
        release,
        b"wheel",
        filename="sample_project-2.0-py3-none-any.whl",
        metadata_sha256="ab" * 32,
    )
    file_with_bytes(release, b"sdist", filename="sample_project-2.0.tar.gz", packagetype="sdist")
    return project


# --- the shape --------------------------------------------------------------------------------


def test_project_answer_has_pypis_keys(client, sample):
    data = client.get("/pypi/sample-project/json").json()

    assert set(data) == set(PYPI)
    assert set(data["info"]) == set(PYPI["info"])
    assert set(data["info"]["downloads"]) == set(PYPI["info"]["downloads"])
    assert set(data["ownership"]) == set(PYPI["ownership"])
    pypi_file = PYPI["urls"][0]
    for entry in [*data["urls"], *(f for files in data["releases"].values() for f in files)]:
        assert _file_keys(entry) == set(pypi_file)
        assert set(entry["digests"]) == set(pypi_file["digests"])
    assert data["releases"]["1.0"] == []  # a release without files, as on PyPI


def test_release_answer_is_the_project_answer_without_releases(client, sample):
    data = client.get("/pypi/sample-project/2.0/json").json()

    assert set(data) == set(PYPI) - {"releases"}
    assert set(data["info"]) == set(PYPI["info"])
    assert {f["filename"] for f in data["urls"]} == {
        "sample_project-2.0-py3-none-any.whl",
        "sample_project-2.0.tar.gz",
    }


def test_values_privindex_lacks_are_null_and_deprecated_ones_as_on_pypi(client, sample):
    info = client.get("/pypi/sample-project/json").json()["info"]

    for key in ("docs_url", "platform", "dynamic", "license_files", "bugtrack_url"):
        assert info[key] is None, key
    assert info["downloads"] == {"last_day": -1, "last_month": -1, "last_week": -1}
    assert info["release_url"] == "http://testserver/project/sample-project/2.0/"
    assert info["project_url"] == info["package_url"] == "http://testserver/project/sample-project/"
    assert info["requires_python"] == ">=3.9"


def test_files_carry_their_digests_and_pep_658_metadata(client, sample):
    urls = {f["filename"]: f for f in client.get("/pypi/sample-project/json").json()["urls"]}

    wheel, sdist = urls["sample_project-2.0-py3-none-any.whl"], urls["sample_project-2.0.tar.gz"]
    # As PyPI sends it: always core-metadata (its hashes, or false), never the older name.
    assert wheel["core-metadata"] == {"sha256": "ab" * 32}
    assert sdist["core-metadata"] is False
    assert "data-dist-info-metadata" not in wheel and "data-dist-info-metadata" not in sdist
    assert wheel["downloads"] == -1 and wheel["has_sig"] is False
    assert wheel["digests"]["md5"] == wheel["md5_digest"]
    assert wheel["upload_time_iso_8601"].endswith("Z")


# --- ownership --------------------------------------------------------------------------------


def test_ownership_lists_owners_then_maintainers_to_those_who_manage(client, sample, owner):
    for name in ("zed", "amy"):
        factories.ProjectRoleFactory(
            project=sample, user=factories.UserFactory(username=name), role="maintainer"
        )
    factories.ProjectRoleFactory(
        project=sample, user=factories.UserFactory(username="rita"), role="reader"
    )
    client.force_login(owner)

    response = client.get("/pypi/sample-project/json")

    assert response.json()["ownership"] == {
        "roles": [
            {"role": "Owner", "user": "owner"},
            {"role": "Maintainer", "user": "amy"},
            {"role": "Maintainer", "user": "zed"},
        ],
        "organization": None,
    }
    assert response["Cache-Control"].startswith("private")  # the roles are for their readers


def test_ownership_shows_no_roles_to_readers_who_do_not_manage(client, sample):
    response = client.get("/pypi/sample-project/json")

    assert response.json()["ownership"] == {"roles": [], "organization": None}
    assert response["Cache-Control"] == "public, max-age=600"


def test_ownership_names_the_organization_by_its_slug(client, owner):
    organization = factories.OrganizationFactory(name="Acme_Corp")
    project = factories.ProjectFactory(
        name="org-pkg", visibility="public", organization=organization
    )
    factories.ReleaseFactory(project=project, version="1.0")

    data = client.get("/pypi/org-pkg/json").json()

    assert data["ownership"]["organization"] == organization.normalized_name


# --- info.version: PyPI's rule ----------------------------------------------------------------

VERSION_CASES = [
    # (versions, yanked ones, info.version)
    (["1.0", "1.2rc1"], set(), "1.0"),  # a newer pre-release is not the current release
    (["1.1rc1", "1.2b1"], set(), "1.2b1"),  # only pre-releases: the highest
    (["2.9", "2.10", "3.0rc1"], set(), "2.10"),  # versions compare as versions
    (["1.0", "1.0.post1", "1.1.dev1"], set(), "1.0.post1"),  # a dev release is a pre-release
    (["1.0", "2.0"], {"2.0"}, "1.0"),  # a yanked release is passed over
    (["1.0", "2.0b1"], {"1.0"}, "2.0b1"),  # a pre-release before a yanked final release
    (["1.0", "2.0b1"], {"1.0", "2.0b1"}, "1.0"),  # all yanked: final first, as PyPI orders
    (["1.0", "2.0"], {"1.0", "2.0"}, "2.0"),  # all yanked: then the highest
]


@pytest.mark.parametrize(("versions", "yanked", "expected"), VERSION_CASES)
def test_info_version_follows_pypis_rule(client, owner, versions, yanked, expected):
    project = factories.ProjectFactory(name="ver-pkg", visibility="public")
    for version in versions:
        factories.ReleaseFactory(project=project, version=version, yanked=version in yanked)

    info = client.get("/pypi/ver-pkg/json").json()["info"]
    page = client.get("/project/ver-pkg/")

    assert info["version"] == expected
    assert info["yanked"] is (expected in yanked)
    assert page.context["latest"].version == expected  # the one selector: the web page agrees


# --- last_serial ------------------------------------------------------------------------------


@pytest.fixture
def uploader(db):
    user = factories.UserFactory(username="releaser")
    return user, token_issue(user=user, scopes=["upload", "read"], actor=None).secret


def _upload(client, secret, version):
    filename, content = dists.make_wheel("serial-pkg", version)
    fields = dists.upload_fields(filename, content)
    fields["content"] = SimpleUploadedFile(filename, content, "application/octet-stream")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/legacy/", fields, **basic(secret))
    assert response.status_code == 200, response.content


def _serial(client, secret):
    response = client.get("/pypi/serial-pkg/json", **basic(secret))
    assert response.status_code == 200, response.content
    serial = response.json()["last_serial"]
    assert response["X-PyPI-Last-Serial"] == str(serial)
    return serial


def test_last_serial_grows_with_every_change_and_is_the_latest_event(client, uploader):
    user, secret = uploader
    _upload(client, secret, "1.0")
    project = Project.objects.get(normalized_name="serial-pkg")
    seen = [_serial(client, secret)]

    _upload(client, secret, "1.1")
    seen.append(_serial(client, secret))
    release = project.releases.get(version="1.1")
    services.release_yank_set(release=release, yanked=True, reason="broken", actor=user)
    seen.append(_serial(client, secret))
    services.release_yank_set(release=release, yanked=False, actor=user)
    seen.append(_serial(client, secret))
    services.project_visibility_set(project=project, visibility="public", actor=user)
    seen.append(_serial(client, secret))

    assert seen[0] > 0
    assert seen == sorted(set(seen))  # strictly increasing
    latest = Event.objects.filter(project=project).order_by("-id").first()
    assert seen[-1] == latest.pk


def test_last_serial_never_goes_back(sample):
    Project.objects.filter(pk=sample.pk).update(last_serial=10**12)

    event_record("test:late", actor=None, project=sample)

    sample.refresh_from_db()
    assert sample.last_serial == 10**12


def test_an_event_about_another_project_leaves_the_serial_alone(client, sample, other_project):
    before = client.get("/pypi/sample-project/json").json()["last_serial"]

    event_record("test:elsewhere", actor=None, project=other_project)

    assert client.get("/pypi/sample-project/json").json()["last_serial"] == before


# --- errors: RFC 9457 problems, the hidden 404 the unknown one's ------------------------------


def _fingerprint(response):
    headers = {k: v for k, v in response.headers.items() if k.lower() != "date"}
    return response.status_code, response.content, headers


@pytest.mark.parametrize("path", ["/pypi/{}/json", "/pypi/{}/1.0/json"])
def test_a_hidden_project_is_the_404_of_an_unknown_one(client, private_project, path):
    factories.ReleaseFactory(project=private_project, version="1.0")

    hidden = client.get(path.format("secret-pkg"))
    unknown = client.get(path.format("no-such-pkg"))

    assert hidden.status_code == 404
    assert hidden["Content-Type"] == PROBLEM
    assert hidden.json()["status"] == 404
    assert _fingerprint(hidden) == _fingerprint(unknown)


def test_an_unknown_version_and_a_project_without_releases_are_the_same_404(client, sample):
    factories.ProjectFactory(name="empty-pkg", visibility="public")

    answers = [
        client.get("/pypi/sample-project/9.9/json"),
        client.get("/pypi/empty-pkg/json"),
        client.get("/pypi/no-such-pkg/json"),
    ]

    assert answers[0].status_code == 404
    assert _fingerprint(answers[0]) == _fingerprint(answers[1]) == _fingerprint(answers[2])


def test_bad_credentials_are_a_401_problem_with_the_challenge(client, sample):
    response = client.get("/pypi/sample-project/json", HTTP_AUTHORIZATION="Bearer nonsense")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == 'Basic realm="privindex"'


def test_a_token_without_read_is_a_403_problem(client, sample, owner):
    secret = token_issue(user=owner, scopes=["upload"], actor=None).secret

    response = client.get("/pypi/sample-project/json", **basic(secret))

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert "read" in response.json()["detail"]


def test_other_methods_are_a_405_problem(client, sample):
    response = client.post("/pypi/sample-project/json")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response["Allow"] == "GET, HEAD"


def test_head_answers_as_get(client, sample):
    assert client.head("/pypi/sample-project/json").status_code == 200
