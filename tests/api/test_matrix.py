"""REST API: the principal x action -> status matrix (DESIGN 4).

Every answer comes from access.decide() through api.permissions; the principals are the
catalogue's (tests.principals).
"""

import pytest
from django.urls import reverse

from tests import factories
from tests.api.helpers import detail

REALM = 'Basic realm="privindex"'
PRIVATE, PUBLIC, UNKNOWN = "secret-pkg", "open-pkg", "no-such-pkg"

# who -> action -> (public, private, unknown)
MATRIX = {
    "anon": {"read": (200, 404, 404), "yank": (401, 401, 401), "manage": (401, 401, 401)},
    "outsider": {"read": (200, 404, 404), "yank": (403, 404, 404), "manage": (403, 404, 404)},
    "reader": {"read": (200, 200, 404), "yank": (403, 403, 404), "manage": (403, 403, 404)},
    "maintainer": {"read": (200, 200, 404), "yank": (200, 200, 404), "manage": (403, 403, 404)},
    "owner": {"read": (200, 200, 404), "yank": (200, 200, 404), "manage": (200, 200, 404)},
    "read_token": {"read": (200, 200, 404), "yank": (403, 403, 403), "manage": (403, 403, 403)},
    "upload_token": {"read": (403, 403, 403), "yank": (200, 200, 404), "manage": (403, 403, 403)},
    "manage_token": {"read": (403, 403, 403), "yank": (403, 403, 403), "manage": (200, 200, 404)},
    "outsider_token": {"read": (200, 404, 404), "yank": (403, 404, 404), "manage": (403, 404, 404)},
    "token_for_other_project": {
        "read": (200, 404, 404),
        "yank": (403, 404, 404),
        "manage": (403, 403, 403),
    },
    # Organization tokens (issue 9) and personal tokens kept to an organization: none of these
    # projects is an organization's, so they read the public one only, and never manage (no
    # manage scope). Their own organization's project is ORG_MATRIX below.
    "org_read_token": {"read": (200, 404, 404), "yank": (403,) * 3, "manage": (403,) * 3},
    "org_upload_token": {
        "read": (200, 404, 404),
        "yank": (403, 404, 404),
        "manage": (403,) * 3,
    },
    "token_for_org": {"read": (200, 404, 404), "yank": (403, 404, 404), "manage": (403,) * 3},
    "token_for_other_org": {
        "read": (200, 404, 404),
        "yank": (403, 404, 404),
        "manage": (403,) * 3,
    },
    "revoked_token": {"read": (401,) * 3, "yank": (401,) * 3, "manage": (401,) * 3},
    "expired_token": {"read": (401,) * 3, "yank": (401,) * 3, "manage": (401,) * 3},
    "password": {"read": (401,) * 3, "yank": (401,) * 3, "manage": (401,) * 3},
    "garbage": {"read": (401,) * 3, "yank": (401,) * 3, "manage": (401,) * 3},
}
CASES = [
    (who, action, column) for who, row in MATRIX.items() for action in row for column in range(3)
]


def _sign_in(client, cast, who):
    client.credentials(**cast.sign_in(client, who, how="bearer"))


def _call(client, action, name):
    if action == "read":
        return client.get(reverse("api:project-detail", args=[name]))
    if action == "yank":
        url = reverse("api:release-yank", args=[name, "1.0"])
        return client.post(url, {"reason": "broken"}, format="json")
    return client.get(reverse("api:project-roles", args=[name]))


@pytest.mark.parametrize(("who", "action", "column"), CASES)
def test_matrix(cast, api, releases, who, action, column):
    cast.ensure("reader", "maintainer", "token_for_other_project")  # the roles exist whoever asks
    _sign_in(api, cast, who)
    name = (PUBLIC, PRIVATE, UNKNOWN)[column]

    response = _call(api, action, name)

    assert response.status_code == MATRIX[who][action][column], response.content
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == REALM  # S4.10: never treated as anonymous
    if response.status_code == 404:
        assert detail(response) == "Not found."
    if response.status_code in (401, 403):
        assert detail(response)


@pytest.mark.parametrize(
    "who",
    [
        "anon",
        "outsider",
        "outsider_token",
        "token_for_other_project",
        "org_read_token",
        "org_upload_token",
        "token_for_other_org",
    ],
)
@pytest.mark.parametrize("action", ["read", "yank", "manage"])
def test_invisible_project_answers_exactly_like_unknown_name(cast, api, releases, who, action):
    _sign_in(api, cast, who)

    private = _call(api, action, PRIVATE)
    unknown = _call(api, action, UNKNOWN)

    assert private.status_code == unknown.status_code
    assert private.content == unknown.content
    assert sorted(private.items()) == sorted(unknown.items())


# who -> (read, yank, manage) on Acme-Pkg, a private project of the scene's organization (acme)
# with release 1.0, on which no one has a personal role (issue 9; docs/access.md).
ORG_PROJECT = "acme-pkg"
ORG_MATRIX = {
    "org_read_token": (200, 403, 403),  # no upload scope; never manage
    "org_upload_token": (200, 200, 403),  # reads, yanks its organization's; never manages
    "org_owner": (200, 200, 200),
    "org_manager": (200, 200, 200),
    "org_member": (200, 403, 403),
    "token_for_org": (200, 403, 403),  # team_maintainer's: a plain member of acme here
    "token_for_other_org": (404, 404, 403),  # globex's owner: no manage scope, refused first
    "outsider": (404, 404, 404),
    "owner": (404, 404, 404),  # owning projects elsewhere gives nothing here
    "superuser": (200, 200, 200),
}


@pytest.fixture
def org_release(cast):
    project = factories.ProjectFactory(name="Acme-Pkg", visibility="private", organization=cast.org)
    release = factories.ReleaseFactory(project=project, version="1.0")
    factories.FileFactory(release=release)
    return release


@pytest.mark.parametrize(("who", "action"), [(w, a) for w in ORG_MATRIX for a in range(3)])
def test_matrix_on_an_organizations_project(cast, api, org_release, who, action):
    _sign_in(api, cast, who)

    response = _call(api, ("read", "yank", "manage")[action], ORG_PROJECT)

    assert response.status_code == ORG_MATRIX[who][action], response.content
    if response.status_code == 404:
        assert detail(response) == "Not found."


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/",
        "/api/v1/projects/open-pkg/",
        "/api/v1/projects/open-pkg/releases/",
        "/api/v1/orgs/",
        "/api/v1/tokens/",
    ],
)
@pytest.mark.parametrize("who", ["revoked_token", "expired_token", "password", "garbage"])
def test_bad_credentials_are_401_everywhere(cast, api, public_project, url, who):
    _sign_in(api, cast, who)

    response = api.get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == REALM


def test_a_denial_names_its_reason(api, maintainer, releases):
    api.force_login(maintainer)

    response = api.patch(
        reverse("api:project-detail", args=[PRIVATE]), {"visibility": "public"}, format="json"
    )

    assert response.status_code == 403
    assert detail(response) == "The user 'maintainer' isn't allowed to manage project 'Secret-Pkg'."
