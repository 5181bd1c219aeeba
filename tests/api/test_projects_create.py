"""Creating a project without a file (POST /api/v1/projects/, issue 11): it reserves the name
under the rules of a first upload (S3.6, PEP 752 namespaces, the upstream name policy,
decision 0017), with the same rights and the same answers as /legacy/."""

import re

import pytest
from django.urls import reverse

from audit.models import Event
from namespaces.services import namespace_grant
from projects.models import Project, ProjectRole
from tests import dists, factories
from tests.api.helpers import bearer, detail
from tests.simple_api.uploading import post
from tokens.services import token_issue

UNAVAILABLE = "is not available: it is taken, too similar to an existing project"


def _create(api, headers=None, **body):
    return api.post(reverse("api:project-list"), body, format="json", **(headers or {}))


def test_a_signed_in_user_reserves_a_name_and_owns_it(api, outsider):
    api.force_login(outsider)

    response = _create(api, name="Brand.New")

    assert response.status_code == 201, response.content
    assert response.json() == {
        "name": "Brand.New",
        "normalized_name": "brand-new",
        "visibility": "private",  # the site default
        "status": "active",
        "organization": None,
        "url": "http://testserver/api/v1/projects/brand-new/",
    }
    assert response["Location"] == "http://testserver/api/v1/projects/brand-new/"
    project = Project.objects.get(normalized_name="brand-new")
    assert ProjectRole.objects.get(project=project).user == outsider
    assert not project.releases.exists()
    event = Event.objects.get(action="project:create")
    assert event.actor == outsider and event.data["visibility"] == "private"


def test_the_reserved_project_takes_its_first_upload(api, client, outsider):
    api.force_login(outsider)
    assert _create(api, name="reserved-pkg", visibility="public").status_code == 201
    token = token_issue(user=outsider, scopes=["upload"], actor=None).secret

    filename, content = dists.make_wheel("reserved-pkg", "1.0")
    uploaded = post(client, filename, content, token)

    assert uploaded.status_code == 200, uploaded.content
    assert client.get("/simple/reserved-pkg/").status_code == 200


@pytest.fixture
def acme(owner):
    """Acme, whose owner is the scene's owner and whose default visibility is public."""
    org = factories.OrganizationFactory(name="acme", default_visibility="public")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    return org


def test_an_organization_owner_creates_there_without_a_personal_role(api, owner, acme):
    api.force_login(owner)

    response = _create(api, name="acme-lib", organization="ACME")

    assert response.status_code == 201, response.content
    assert response.json()["organization"] == "acme"
    assert response.json()["visibility"] == "public"  # the organization's default
    project = Project.objects.get(normalized_name="acme-lib")
    assert project.organization == acme
    assert not ProjectRole.objects.filter(project=project).exists()


def test_an_unknown_organization_is_answered_as_one_the_caller_may_not_create_in(
    api, outsider, acme
):
    api.force_login(outsider)

    member_of_none = _create(api, name="x-lib", organization="acme")
    unknown = _create(api, name="x-lib", organization="no-such-org")

    assert member_of_none.status_code == unknown.status_code == 403
    assert detail(member_of_none) == "You may not create projects in the organization 'acme'."
    assert detail(unknown) == "You may not create projects in the organization 'no-such-org'."
    assert not Project.objects.filter(normalized_name="x-lib").exists()


@pytest.mark.parametrize(
    ("who", "status", "message"),
    [
        ("anon", 401, "Authentication required."),
        ("read_token", 403, "The token does not have the 'upload' scope."),
        ("manage_token", 403, "The token does not have the 'upload' scope."),
        ("token_for_other_project", 403, "A token restricted to projects cannot create"),
        ("token_for_org", 403, "You may not create projects in the organization 'acme'."),
        ("org_read_token", 403, "The token does not have the 'upload' scope."),
        ("upload_token", 201, ""),
        ("org_upload_token", 201, ""),
        ("token_for_other_org", 201, ""),  # globex's owner: new names go to globex
        ("staff", 201, ""),
        ("superuser", 201, ""),
    ],
)
def test_who_may_create(cast, api, who, status, message):
    response = _create(api, cast.sign_in(api, who, how="bearer"), name="new-pkg")

    assert response.status_code == status, response.content
    if message:
        assert detail(response).startswith(message)
        assert not Project.objects.filter(normalized_name="new-pkg").exists()
    else:
        project = Project.objects.get(normalized_name="new-pkg")
        expected = {"org_upload_token": "acme", "token_for_other_org": "globex"}.get(who)
        assert (project.organization.name if project.organization else None) == expected


def test_a_token_kept_to_an_organization_creates_nowhere_else(cast, api):
    cast.ensure("foreign_org_owner")
    factories.OrganizationMemberFactory(
        organization=cast.org, user=cast.user("foreign_org_owner"), role="owner"
    )
    headers = cast.sign_in(api, "token_for_other_org", how="bearer")  # kept to globex

    response = _create(api, headers, name="new-pkg", organization="acme")

    assert response.status_code == 403
    assert detail(response) == "You may not create projects in the organization 'acme'."


def test_an_upload_only_token_is_told_only_what_it_created(api, upload_token):
    response = _create(api, bearer(upload_token), name="quiet-new")

    assert response.status_code == 201
    assert set(response.json()) == {
        "name", "normalized_name", "visibility", "status", "organization", "url",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"name": "This field is required."}),
        ({"name": ""}, {"name": "This field may not be blank."}),
        (
            {"name": "-bad-"},
            {
                "name": "Start and end with a letter or numeral containing only "
                "ASCII numeric and '.', '_' and '-'."
            },
        ),
        (
            {"name": "a b"},
            {
                "name": "Start and end with a letter or numeral containing only "
                "ASCII numeric and '.', '_' and '-'."
            },
        ),
        ({"name": "a" * 201}, {"name": "Ensure this field has no more than 200 characters."}),
        ({"name": "ok", "visibility": "secret"}, {"visibility": '"secret" is not a valid choice.'}),
        ({"name": "ok", "visibilty": "public"}, {"visibilty": "Unknown field."}),
        (
            {"name": ["x"], "owner": "me"},
            {"name": "Not a valid string.", "owner": "Unknown field."},
        ),
    ],
)
def test_bad_bodies_are_400_with_every_error(api, outsider, body, errors):
    api.force_login(outsider)

    response = _create(api, **body)

    assert response.status_code == 400
    detail(response)
    assert {e["field"]: e["message"] for e in response.json()["errors"]} == errors
    assert not Project.objects.exists()


# --- the name rules: the upload's answer, word for word ----------------------------------------


@pytest.fixture
def names_scene(db, settings):
    """A hidden project, one too similar to be taken, a namespace someone else holds."""
    settings.PRIVINDEX_PROHIBITED_NAMES = ["forbidden-name"]
    factories.ProjectFactory(name="secret-pkg", visibility="private")
    factories.ProjectFactory(name="seedpkg", visibility="private")
    namespace_grant(
        name="corp", organization=factories.OrganizationFactory(name="corp"), actor=None
    )
    uploader = factories.UserFactory(username="uploader")
    return uploader, token_issue(user=uploader, scopes=["upload", "read"], actor=None).secret


def _both(api, client, token, name):
    """(the upload's answer, the API's) for a first upload and a creation of ``name``, the
    name as each spelled it taken out (the wheel's metadata spells it its own way)."""
    filename, content = dists.make_wheel(name, "1.0")
    upload = post(client, filename, content, token)
    created = _create(api, bearer(token), name=name)
    return (
        (upload.status_code, re.sub(r"'[^']*'", "X", upload.reason_phrase)),
        (created.status_code, re.sub(r"'[^']*'", "X", detail(created))),
    )


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("secret-pkg", 409),  # hidden: answered as a taken name, never "it exists"
        ("Seed_Pkg", 409),  # too similar to a (hidden) project
        ("corp-utils", 409),  # in a namespace the caller does not hold
        ("json", 400),  # the standard library
        ("forbidden-name", 400),  # PRIVINDEX_PROHIBITED_NAMES
    ],
)
def test_a_refused_name_gets_the_uploads_answer(api, client, names_scene, name, status):
    _uploader, token = names_scene

    upload, created = _both(api, client, token, name)

    assert upload[0] == created[0] == status
    assert created[1] == upload[1]
    assert not Project.objects.filter(normalized_name__in=["json", "corp-utils"]).exists()


def test_hidden_reserved_and_similar_names_get_one_answer(api, names_scene):
    _uploader, token = names_scene
    answers = set()
    for name in ("secret-pkg", "corp-secret", "Seed_Pkg"):
        response = _create(api, bearer(token), name=name)
        answers.add((response.status_code, re.sub(r"'[^']*'", "X", detail(response))))

    assert len(answers) == 1
    assert next(iter(answers))[0] == 409
    assert UNAVAILABLE in next(iter(answers))[1]


def test_a_visible_taken_name_is_409_too(api, owner, public_project):
    api.force_login(owner)

    response = _create(api, name="open_pkg")

    assert response.status_code == 409
    assert UNAVAILABLE in detail(response)


def test_the_namespace_holder_creates_inside_it_for_its_organization(api, db):
    org = factories.OrganizationFactory(name="corp")
    manager = factories.UserFactory(username="corp-manager")
    factories.OrganizationMemberFactory(organization=org, user=manager, role="manager")
    namespace_grant(name="corp", organization=org, actor=None)
    api.force_login(manager)

    response = _create(api, name="corp-tools")

    assert response.status_code == 201, response.content
    assert Project.objects.get(normalized_name="corp-tools").organization == org


@pytest.fixture
def upstream(fake_pypi, settings):
    settings.PRIVINDEX_UPSTREAM_URL = fake_pypi.url
    return fake_pypi


def test_a_name_an_upstream_has_is_refused_as_on_upload(api, client, names_scene, upstream):
    # The upstream name policy (decision 0017): dependency confusion.
    _uploader, token = names_scene

    upload, created = _both(api, client, token, "public-dep")

    assert upload[0] == created[0] == 409
    assert created[1] == upload[1]
    assert "exists on the upstream index" in created[1]
    assert not Project.objects.filter(normalized_name="public-dep").exists()


def test_an_unreachable_upstream_is_503_as_on_upload(api, names_scene, upstream):
    _uploader, token = names_scene

    with upstream.down():
        response = _create(api, bearer(token), name="brand-new-name")

    assert response.status_code == 503
    assert "retry" in detail(response)
