"""REST API: the principal x action -> status matrix of every project resource (DESIGN 4,
issue 11): projects, releases, files, user roles; then the collections (projects, tokens),
an organization's project (its roles, team roles), and bad credentials everywhere.

Every answer comes from ``access`` through api.permissions; the principals are the
catalogue's (tests.principals). Each action maps to the rule it is asked under; each rule has
one row per caller: (public project, private project, unknown name).
"""

import pytest
from django.urls import reverse

from projects.models import ProjectRole
from tests import factories
from tests.api.helpers import detail
from tokens.services import token_issue

REALM = 'Basic realm="privindex"'
NAMES = ("open-pkg", "secret-pkg", "no-such-pkg")
OK = "ok"  # the action's own success status
BAD = ("revoked_token", "expired_token", "password", "garbage")

READ = {
    "anon": (OK, 404, 404),
    "outsider": (OK, 404, 404),
    "reader": (OK, OK, 404),
    "maintainer": (OK, OK, 404),
    "owner": (OK, OK, 404),
    "staff": (OK, 404, 404),  # being staff reads nothing private
    "superuser": (OK, OK, 404),
    "read_token": (OK, OK, 404),
    "upload_token": (403, 403, 403),  # no read scope: before any name (S4.11)
    "manage_token": (403, 403, 403),
    "all_scopes_token": (OK, OK, 404),
    "outsider_token": (OK, 404, 404),
    "token_for_project": (OK, OK, 404),
    "token_for_other_project": (OK, 404, 404),
    "org_read_token": (OK, 404, 404),  # acme's: none of these is acme's
    "org_upload_token": (OK, 404, 404),
    "superuser_token": (OK, OK, 404),
    **{bad: (401,) * 3 for bad in BAD},  # S4.10: never treated as anonymous
}
# A list is for signed-in callers (issue 11): anonymous ones are challenged, public or not.
LIST = {**READ, "anon": (401, 401, 401)}
YANK = {
    "anon": (401, 401, 401),
    "outsider": (403, 404, 404),
    "reader": (403, 403, 404),
    "maintainer": (OK, OK, 404),
    "owner": (OK, OK, 404),
    "staff": (403, 404, 404),
    "superuser": (OK, OK, 404),
    "read_token": (403, 403, 403),  # no upload scope
    "upload_token": (OK, OK, 404),
    "manage_token": (403, 403, 403),
    "all_scopes_token": (OK, OK, 404),
    "outsider_token": (403, 404, 404),
    "token_for_project": (OK, OK, 404),
    "token_for_other_project": (403, 404, 404),
    "org_read_token": (403, 403, 403),
    "org_upload_token": (403, 404, 404),
    "superuser_token": (OK, OK, 404),
    **{bad: (401,) * 3 for bad in BAD},
}
NO_MANAGE_SCOPE = (403, 403, 403)
MANAGE = {
    "anon": (401, 401, 401),
    "outsider": (403, 404, 404),
    "reader": (403, 403, 404),
    "maintainer": (403, 403, 404),
    "owner": (OK, OK, 404),
    "staff": (403, 404, 404),
    "superuser": (OK, OK, 404),
    "read_token": NO_MANAGE_SCOPE,
    "upload_token": NO_MANAGE_SCOPE,
    "manage_token": (OK, OK, 404),
    "all_scopes_token": (OK, OK, 404),
    "outsider_token": (403, 404, 404),
    "token_for_project": NO_MANAGE_SCOPE,
    "token_for_other_project": NO_MANAGE_SCOPE,
    "org_read_token": NO_MANAGE_SCOPE,  # an organization token never manages (issue 9)
    "org_upload_token": NO_MANAGE_SCOPE,
    "superuser_token": (OK, OK, 404),
    **{bad: (401,) * 3 for bad in BAD},
}
# A list of roles: a list (the read scope) of what managing shows (projects:manage).
ROLES_LIST = {**MANAGE, "manage_token": (403, 403, 403)}
RULES = {"read": READ, "list": LIST, "yank": YANK, "manage": MANAGE, "roles-list": ROLES_LIST}
CALLERS = list(READ)


def _project(name):
    return f"/api/v1/projects/{name}/"


def _release(name):
    return f"{_project(name)}releases/1.0/"


def _file(name, scene):
    return f"{_release(name)}files/{scene['wheel']}/"


def _visibility(name):
    return {"open-pkg": "public"}.get(name, "private")


# action -> (rule, success status, call(api, name, scene)), in the order a caller takes them:
# each leaves what the next needs (the release is yanked before it is un-yanked, the
# collaborator's role changed before it is revoked, the file deleted before its release, the
# project last; a transfer keeps the owner's rights, through the organization it moves to).
ACTIONS = {
    "project-read": ("read", 200, lambda api, n, s: api.get(_project(n))),
    "releases-list": ("list", 200, lambda api, n, s: api.get(f"{_project(n)}releases/")),
    "release-read": ("read", 200, lambda api, n, s: api.get(_release(n))),
    "files-list": ("list", 200, lambda api, n, s: api.get(f"{_release(n)}files/")),
    "file-read": ("read", 200, lambda api, n, s: api.get(_file(n, s))),
    "user-roles-list": ("roles-list", 200, lambda api, n, s: api.get(f"{_project(n)}roles/users/")),
    "project-update": (
        "manage",
        200,
        lambda api, n, s: api.patch(_project(n), {"visibility": _visibility(n)}, format="json"),
    ),
    "release-yank": (
        "yank",
        200,
        lambda api, n, s: api.post(f"{_release(n)}yank/", {"reason": "broken"}, format="json"),
    ),
    "release-unyank": ("yank", 200, lambda api, n, s: api.delete(f"{_release(n)}yank/")),
    "user-role-grant": (
        "manage",
        201,
        lambda api, n, s: api.post(
            f"{_project(n)}roles/users/", {"username": "newbie", "role": "reader"}, format="json"
        ),
    ),
    "user-role-change": (
        "manage",
        200,
        lambda api, n, s: api.patch(
            f"{_project(n)}roles/users/collaborator/", {"role": "maintainer"}, format="json"
        ),
    ),
    "user-role-revoke": (
        "manage",
        204,
        lambda api, n, s: api.delete(f"{_project(n)}roles/users/collaborator/"),
    ),
    "project-transfer": (
        "manage",
        200,
        lambda api, n, s: api.post(f"{_project(n)}transfer/", {"to": "org:ownco"}, format="json"),
    ),
    "file-delete": ("manage", 204, lambda api, n, s: api.delete(_file(n, s))),
    "release-delete": ("manage", 204, lambda api, n, s: api.delete(_release(n))),
    "project-delete": ("manage", 204, lambda api, n, s: api.delete(_project(n))),
}


@pytest.fixture
def unthrottled(settings):
    """Rates no test here reaches: a caller with bad credentials asks 48 times (api.throttles
    has its own tests)."""
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = {"auth-failure": "1000/min", "token-create": "1000/min", "write": "1000/min"}
    before = SimpleRateThrottle.THROTTLE_RATES
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    api_settings.reload()
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    yield
    SimpleRateThrottle.THROTTLE_RATES = before  # api_settings follows the settings it is given


@pytest.fixture
def scene(unthrottled, cast, private_project, public_project, owner):
    """The standard scene, and in both projects: release 1.0 (yanked, so that it can be
    un-yanked) with a wheel, and a collaborator with the reader role; a user to grant a role
    to; ownco, an organization the owner owns (to transfer into)."""
    wheels = {}
    collaborator = factories.UserFactory(username="collaborator")
    for project in (private_project, public_project):
        release = factories.ReleaseFactory(project=project, version="1.0", yanked=True)
        filename = f"{project.normalized_name.replace('-', '_')}-1.0-py3-none-any.whl"
        factories.FileFactory(release=release, filename=filename)
        wheels[project.normalized_name] = filename
        factories.ProjectRoleFactory(project=project, user=collaborator, role="reader")
    factories.UserFactory(username="newbie")
    ownco = factories.OrganizationFactory(name="ownco")
    factories.OrganizationMemberFactory(organization=ownco, user=owner, role="owner")
    cast.ensure("reader", "maintainer", "token_for_other_project")  # roles exist whoever asks
    return {"wheels": wheels}


@pytest.mark.parametrize("who", CALLERS)
def test_matrix(cast, api, scene, who):
    api.credentials(**cast.sign_in(api, who, how="bearer"))

    got, expected = {}, {}
    for action, (rule, ok, call) in ACTIONS.items():
        statuses = []
        for name in NAMES:
            wheel = scene["wheels"].get(name, "no_such_pkg-1.0-py3-none-any.whl")
            response = call(api, name, {"wheel": wheel})
            statuses.append(response.status_code)
            if response.status_code == 401:
                assert response["WWW-Authenticate"] == REALM
            if response.status_code == 404:
                assert detail(response) == "Not found."
            if response.status_code in (401, 403):
                assert detail(response)
        got[action] = tuple(statuses)
        expected[action] = tuple(ok if cell == OK else cell for cell in RULES[rule][who])

    assert got == expected


# --- the collections --------------------------------------------------------------------------

SESSIONS = ("outsider", "reader", "maintainer", "owner", "staff", "superuser")
COLLECTIONS = {
    # who -> (list projects, create a project, list tokens, issue a token, revoke one's own)
    "anon": (401, 401, 401, 401, 401),
    **{session: (200, 201, 200, 201, 200) for session in SESSIONS},
    "read_token": (200, 403, 403, 403, 403),  # no upload scope; no token manages tokens
    "upload_token": (403, 201, 403, 403, 403),
    "manage_token": (403, 403, 403, 403, 403),
    "all_scopes_token": (200, 201, 403, 403, 403),
    "outsider_token": (200, 201, 403, 403, 403),
    "token_for_project": (200, 403, 403, 403, 403),  # restricted: creates nothing
    "token_for_other_project": (200, 403, 403, 403, 403),
    "org_read_token": (200, 403, 403, 403, 403),
    "org_upload_token": (200, 201, 403, 403, 403),  # creates in its organization
    "superuser_token": (200, 201, 403, 403, 403),
    **{bad: (401,) * 5 for bad in BAD},
}


@pytest.mark.parametrize("who", list(COLLECTIONS))
def test_collections_matrix(cast, api, private_project, public_project, who):
    holder = cast.user(who) if who in SESSIONS else cast.user("owner")
    own = token_issue(user=holder, scopes=["read"], name="own", actor=None).token
    api.credentials(**cast.sign_in(api, who, how="bearer"))

    got = (
        api.get(reverse("api:project-list")).status_code,
        api.post(reverse("api:project-list"), {"name": "fresh-pkg"}, format="json").status_code,
        api.get(reverse("api:token-list")).status_code,
        api.post(reverse("api:token-list"), {"scopes": ["read"]}, format="json").status_code,
        api.delete(reverse("api:token-detail", args=[own.identifier])).status_code,
    )

    assert got == COLLECTIONS[who]


# --- an organization's project ----------------------------------------------------------------

# who -> action -> status on Acme-Pkg, a private project of the scene's organization (acme),
# with release 1.0, on which no one has a personal role (issue 9; docs/access.md).
ORG_ACTIONS = ("read", "releases", "yank", "update", "user-roles", "team-grant")
ORG_MATRIX = {
    "org_read_token": (200, 200, 403, 403, 403, 403),  # no upload scope; never manages
    "org_upload_token": (200, 200, 200, 403, 403, 403),  # reads, yanks; never manages
    "org_owner": (200, 200, 200, 200, 200, 201),
    "org_manager": (200, 200, 200, 200, 200, 201),
    "org_member": (200, 200, 403, 403, 403, 403),
    "token_for_org": (200, 200, 403, 403, 403, 403),  # team_maintainer's: a member here
    "token_for_other_org": (404, 404, 404, 403, 403, 403),  # no manage scope: refused first
    "outsider": (404,) * 6,
    "owner": (404,) * 6,  # owning projects elsewhere gives nothing here
    "superuser": (200, 200, 200, 200, 200, 201),
}


@pytest.fixture
def org_release(cast):
    project = factories.ProjectFactory(name="Acme-Pkg", visibility="private", organization=cast.org)
    release = factories.ReleaseFactory(project=project, version="1.0")
    factories.FileFactory(release=release)
    return factories.TeamFactory(organization=cast.org, name="builders")


def _org_call(api, action, team):
    url = _project("acme-pkg")
    if action == "read":
        return api.get(url)
    if action == "releases":
        return api.get(f"{url}releases/")
    if action == "yank":
        return api.post(f"{url}releases/1.0/yank/", {"reason": "broken"}, format="json")
    if action == "update":
        return api.patch(url, {"visibility": "private"}, format="json")
    if action == "user-roles":
        return api.get(f"{url}roles/users/")
    return api.post(f"{url}roles/teams/", {"team_id": team.pk, "role": "reader"}, format="json")


@pytest.mark.parametrize(("who", "action"), [(w, a) for w in ORG_MATRIX for a in ORG_ACTIONS])
def test_matrix_on_an_organizations_project(cast, api, org_release, who, action):
    api.credentials(**cast.sign_in(api, who, how="bearer"))

    response = _org_call(api, action, org_release)

    assert response.status_code == ORG_MATRIX[who][ORG_ACTIONS.index(action)], response.content
    if response.status_code == 404:
        assert detail(response) == "Not found."


# --- bad credentials, and what a denial says --------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/",
        "/api/v1/projects/open-pkg/",
        "/api/v1/projects/open-pkg/releases/",
        "/api/v1/projects/open-pkg/releases/1.0/files/",
        "/api/v1/projects/open-pkg/roles/users/",
        "/api/v1/orgs/",
        "/api/v1/tokens/",
    ],
)
@pytest.mark.parametrize("who", BAD)
def test_bad_credentials_are_401_everywhere(cast, api, public_project, url, who):
    api.credentials(**cast.sign_in(api, who, how="bearer"))

    response = api.get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == REALM


def test_a_denial_names_its_reason(api, maintainer, private_project):
    api.force_login(maintainer)

    response = api.patch(_project("secret-pkg"), {"visibility": "public"}, format="json")

    assert response.status_code == 403
    assert detail(response) == "The user 'maintainer' isn't allowed to manage project 'Secret-Pkg'."
    assert ProjectRole.objects.get(user=maintainer, project=private_project).role == "maintainer"
