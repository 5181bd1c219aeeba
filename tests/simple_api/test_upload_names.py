"""Names a first upload may take (issue 8): PEP 752 namespaces (409), the upstream name policy,
and one answer for every unavailable name, given only after the distribution is checked."""

import json
import re

import pytest

from audit.models import Event
from namespaces.services import namespace_grant
from projects.models import Project
from tests import dists, factories
from tests.simple_api.uploading import post, snapshot
from tokens.services import token_issue
from upstream.models import AllowedName

pytestmark = pytest.mark.django_db

UNAVAILABLE = "is not available: it is taken, too similar to an existing project"


@pytest.fixture
def uploader(db):
    return factories.UserFactory(username="uploader")


@pytest.fixture
def token(uploader):
    return token_issue(user=uploader, scopes=["upload", "read"], actor=None).secret


@pytest.fixture
def acme(db):
    """The organization acme holds the namespace ``acme``; its manager may create projects."""
    org = factories.OrganizationFactory(name="acme")
    manager = factories.UserFactory(username="acme-manager")
    factories.OrganizationMemberFactory(organization=org, user=manager, role="manager")
    namespace_grant(name="acme", organization=org, actor=None)
    return org, token_issue(user=manager, scopes=["upload", "read"], actor=None).secret


def upload(client, token, name, version="1.0"):
    filename, content = dists.make_wheel(name, version)
    return post(client, filename, content, token)


def test_a_new_name_in_someone_elses_namespace_is_409_and_leaves_nothing(
    client, token, acme, settings
):
    before = snapshot(settings)
    response = upload(client, token, "acme-billing")
    assert response.status_code == 409
    assert UNAVAILABLE in response.reason_phrase
    assert "namespace you do not hold" in response.content.decode()
    assert snapshot(settings) == before


def test_the_namespace_itself_is_reserved_too(client, token, acme):
    assert upload(client, token, "acme").status_code == 409
    assert upload(client, token, "acmebilling").status_code == 200  # not "acme-": free


def test_the_holder_creates_projects_in_its_namespace_owned_by_the_organization(client, acme):
    org, manager_token = acme
    response = upload(client, manager_token, "Acme.Billing")
    assert response.status_code == 200, response.content
    project = Project.objects.get(normalized_name="acme-billing")
    assert project.organization == org
    page = json.loads(
        client.get(
            "/simple/acme-billing/",
            HTTP_ACCEPT="application/vnd.pypi.simple.v1+json",
            HTTP_AUTHORIZATION=f"Bearer {manager_token}",
        ).content
    )
    assert page["namespaces"] == [{"name": "acme", "owned": True}]


def test_a_project_from_before_the_grant_keeps_working_and_is_not_owned(client, token, uploader):
    assert upload(client, token, "acme-old").status_code == 200
    org = factories.OrganizationFactory(name="acme")
    namespace_grant(name="acme", organization=org, actor=None)
    assert upload(client, token, "acme-old", "2.0").status_code == 200
    page = json.loads(
        client.get(
            "/simple/acme-old/",
            HTTP_ACCEPT="application/vnd.pypi.simple.v1+json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        ).content
    )
    assert page["namespaces"] == [{"name": "acme", "owned": False}]


def test_a_user_grant_is_held_by_that_user_and_an_open_one_by_anyone(client, token, uploader):
    other = factories.UserFactory()
    other_token = token_issue(user=other, scopes=["upload"], actor=None).secret
    namespace_grant(name="mine", user=uploader, actor=None)
    namespace_grant(name="shared", user=other, open=True, actor=None)
    assert upload(client, other_token, "mine-tool").status_code == 409
    assert upload(client, token, "mine-tool").status_code == 200
    assert upload(client, token, "shared-plugin").status_code == 200


def test_hidden_reserved_and_similar_names_get_the_same_answer(client, token, acme):
    factories.ProjectFactory(name="secret-pkg", visibility="private")
    factories.ProjectFactory(name="seedpkg", visibility="private")
    answers = {}
    # hidden, in a namespace the uploader does not hold, too similar to a (hidden) project
    for name in ("secret-pkg", "acme-secret", "Seed_Pkg"):
        response = upload(client, token, name)
        answers[name] = (response.status_code, re.sub(r"'[^']*'", "X", response.reason_phrase))
    assert len(set(answers.values())) == 1, answers
    assert next(iter(answers.values()))[0] == 409


def test_a_garbage_file_tells_nothing_about_a_hidden_name(client, token):
    factories.ProjectFactory(name="secret-pkg", visibility="private")
    answers = []
    for name in ("secret-pkg", "free-pkg"):
        filename, _ = dists.make_wheel(name, "1.0")
        response = post(client, filename, b"not a zip file at all", token)
        answers.append((response.status_code, response.reason_phrase.replace(name, "X")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400


# --- the upstream name policy ------------------------------------------------------------------


@pytest.fixture
def upstream(fake_pypi, settings):
    settings.PRIVINDEX_UPSTREAM_URL = fake_pypi.url
    return fake_pypi


def test_a_new_name_an_upstream_has_is_refused_by_default(client, token, upstream, settings):
    before = snapshot(settings)
    response = upload(client, token, "public-dep")
    assert response.status_code == 409
    assert "exists on the upstream index" in response.reason_phrase
    assert "dependency confusion" in response.content.decode()
    assert snapshot(settings) == before


def test_an_allowed_name_may_be_taken(client, token, upstream):
    AllowedName.objects.create(name="public-dep")
    assert upload(client, token, "public-dep").status_code == 200


def test_a_name_in_a_namespace_the_uploader_holds_may_be_taken(client, acme, upstream):
    _org, manager_token = acme
    upstream.add("acme-tools", "1.0")
    assert upload(client, manager_token, "acme-tools").status_code == 200
    assert not upstream.requested("acme-tools")  # reserved: never even asked


@pytest.mark.parametrize("policy", ["warn", "allow"])
def test_warn_and_allow_policies_let_the_name_through(client, token, upstream, settings, policy):
    settings.PRIVINDEX_UPSTREAM_NAME_POLICY = policy
    assert upload(client, token, "public-dep").status_code == 200
    warned = Event.objects.filter(action="project:upstream-name").exists()
    assert warned == (policy == "warn")


def test_an_unreachable_upstream_refuses_new_names_with_503(client, token, upstream, settings):
    before = snapshot(settings)
    with upstream.down():
        response = upload(client, token, "brand-new-name")
    assert response.status_code == 503
    assert "retry" in response.reason_phrase
    assert snapshot(settings) == before


def test_a_hidden_name_an_upstream_has_gets_the_upstream_answer(client, token, upstream):
    """As for any free name the upstream has: never 'it exists here'."""
    factories.ProjectFactory(name="acme-secret", visibility="private")
    hidden = upload(client, token, "acme-secret")
    free = upload(client, token, "public-app")
    assert hidden.status_code == free.status_code == 409
    assert hidden.reason_phrase.replace("acme-secret", "X") == free.reason_phrase.replace(
        "public-app", "X"
    )


@pytest.mark.parametrize("hidden", [False, True])
def test_a_reserved_name_is_never_sent_to_the_upstream_on_upload(client, token, upstream, hidden):
    org = factories.OrganizationFactory(name="corp")
    namespace_grant(name="corp", organization=org, hidden=hidden, actor=None)
    upstream.add("corp-utils", "1.0")
    response = upload(client, token, "corp-utils")
    assert response.status_code == 409
    assert UNAVAILABLE in response.reason_phrase
    assert not upstream.requested("corp-utils")


def test_a_token_that_may_not_create_gets_the_same_answer_for_a_hidden_name(client, uploader):
    factories.ProjectFactory(name="secret-pkg", visibility="private")
    mine = factories.ProjectFactory(name="mine-pkg", visibility="private")
    factories.ProjectRoleFactory(project=mine, user=uploader, role="owner")
    restricted = token_issue(user=uploader, scopes=["upload"], projects=[mine], actor=None).secret
    hidden = upload(client, restricted, "secret-pkg")
    free = upload(client, restricted, "free-pkg")
    assert hidden.status_code == free.status_code == 403
    assert hidden.reason_phrase == free.reason_phrase


def test_a_name_in_an_open_namespace_is_not_sent_to_the_upstream_either(client, token, upstream):
    owner = factories.UserFactory()
    namespace_grant(name="opn", user=owner, open=True, actor=None)
    upstream.add("opn-thing", "1.0")
    assert upload(client, token, "opn-thing").status_code == 200
    assert not upstream.requested("opn-thing")
