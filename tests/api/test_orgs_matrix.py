"""REST API organizations, members, invitations, teams and team roles: the principal x action
-> status matrix (issue 11; docs/access.md, "What each organization role may do"), and the
hidden 404: an organization the caller may not see answers every path and method exactly as
a name that does not exist.

The scene is the catalogue's organization (acme, tests.principals) with its owner, manager and
member; a private project of it (Acme-Pkg) on which the team devs (the member) reads; bob, a
plain member; a pending invitation of invitee; a second project, Acme-Tools.
"""

from types import SimpleNamespace

import pytest
from django.db import transaction

from accounts.services import invitation_create
from tests import factories
from tests.api.helpers import detail
from tests.principals import ALL_SCOPES
from tokens.services import token_issue

REALM = 'Basic realm="privindex"'


@pytest.fixture
def scene(cast):
    org = cast.org
    owner, _, member = (cast.user(n) for n in ("org_owner", "org_manager", "org_member"))
    project = factories.ProjectFactory(name="Acme-Pkg", organization=org)
    factories.ProjectFactory(name="Acme-Tools", organization=org)
    team = factories.TeamFactory(organization=org, name="devs")
    factories.TeamMemberFactory(team=team, user=member)
    factories.TeamProjectRoleFactory(project=project, team=team, role="reader")
    bob = factories.UserFactory(username="bob")
    factories.OrganizationMemberFactory(organization=org, user=bob, role="member")
    invitee = factories.UserFactory(username="invitee")
    invitation = invitation_create(organization=org, role="member", user=invitee, actor=owner)
    factories.UserFactory(username="carol")
    return SimpleNamespace(org=org, project=project, team=team, invitation=invitation, cast=cast)


# The organization owner's personal tokens: name -> (scopes, kept to)
OWNER_TOKENS = {
    "owner_token": (ALL_SCOPES, None),
    "owner_read_token": (("read",), None),
    "owner_token_for_org": (ALL_SCOPES, "org"),
    "owner_token_for_project": (ALL_SCOPES, "project"),
}


def sign_in(client, scene, who):
    """The headers ``who`` sends (a session user is logged in)."""
    cast = scene.cast
    if who not in OWNER_TOKENS:
        return cast.sign_in(client, who, how="bearer")
    scopes, kept = OWNER_TOKENS[who]
    restriction = {}
    if kept == "org":
        restriction["organization"] = scene.org
    elif kept == "project":
        restriction["projects"] = [scene.project]
    issued = token_issue(user=cast.user("org_owner"), scopes=scopes, actor=None, **restriction)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}


# name -> (what it asks, method, path under the organization, body, the status when allowed)
ACTIONS = {
    "org-read": ("read", "get", "", None, 200),
    "org-update": ("manage", "patch", "", {"default_visibility": "public"}, 200),
    # Acme owns projects: the service refuses, once access has let the caller through.
    "org-delete": ("manage", "delete", "", None, 409),
    "members-list": ("read", "get", "members/", None, 200),
    "member-read": ("read", "get", "members/bob/", None, 200),
    "member-update": ("manage", "patch", "members/bob/", {"role": "manager"}, 200),
    "member-remove": ("manage", "delete", "members/bob/", None, 204),
    "invitations-list": ("manage", "get", "invitations/", None, 200),
    "invitation-create": ("manage", "post", "invitations/", {"username": "carol"}, 201),
    "invitation-withdraw": ("manage", "delete", "invitations/{invitation}/", None, 204),
    "teams-list": ("read", "get", "teams/", None, 200),
    "team-create": ("teams", "post", "teams/", {"name": "ops"}, 201),
    "team-read": ("read", "get", "teams/{team}/", None, 200),
    "team-rename": ("teams", "patch", "teams/{team}/", {"name": "developers"}, 200),
    "team-delete": ("teams", "delete", "teams/{team}/", None, 204),
    "team-members-list": ("read", "get", "teams/{team}/members/", None, 200),
    "team-member-add": ("teams", "post", "teams/{team}/members/", {"username": "bob"}, 201),
    "team-member-remove": ("teams", "delete", "teams/{team}/members/org_member/", None, 204),
    "team-roles-list": ("read", "get", "teams/{team}/roles/", None, 200),
    "team-role-read": ("read", "get", "teams/{team}/roles/acme-pkg/", None, 200),
    "team-role-grant": (
        "teams",
        "post",
        "teams/{team}/roles/",
        {"project": "Acme-Tools", "role": "maintainer"},
        201,
    ),
    "team-role-change": ("teams", "patch", "teams/{team}/roles/acme-pkg/", {"role": "owner"}, 200),
    "team-role-revoke": ("teams", "delete", "teams/{team}/roles/acme-pkg/", None, 204),
}
READ, MANAGE, TEAMS = ("read",), ("read", "manage", "teams"), ("read", "teams")
# who -> (what they may ask, the status of anything else)
MATRIX = {
    "org_owner": (MANAGE, None),
    "owner_token": (MANAGE, None),
    "owner_token_for_org": (MANAGE, None),  # kept to this organization: it acts here
    "owner_token_for_project": ((), 404),  # kept to projects: it acts for no organization
    "superuser": (MANAGE, None),
    "org_manager": (TEAMS, 403),
    "org_member": (READ, 403),
    "owner_read_token": (READ, 403),  # a token without the manage scope
    "outsider": ((), 404),
    "staff": ((), 404),  # site staff see organizations as anyone does; superusers see all
    "outsider_token": ((), 404),
    "org_read_token": ((), 403),  # an organization token manages nothing, reads no organization
    "org_upload_token": ((), 403),
    "anon": ((), 401),
}


def call(client, scene, action, org="acme", headers=None):
    _, method, path, body, _ = ACTIONS[action]
    path = path.format(team=scene.team.pk, invitation=scene.invitation.pk)
    url = f"/api/v1/orgs/{org}/{path}"
    kwargs = {"format": "json"} if body is not None else {}
    return getattr(client, method)(url, body, **kwargs, **(headers or {}))


class _Undo(Exception):
    pass


def each_undone(actions, ask):
    """``ask(action)`` for each action, each in a savepoint rolled back after it, so every
    action meets the same scene (a delete does not hide the next action's target)."""
    answers = {}
    for action in actions:
        try:
            with transaction.atomic():
                answers[action] = ask(action)
                raise _Undo
        except _Undo:
            pass
    return answers


@pytest.mark.parametrize("who", MATRIX)
def test_matrix(api, scene, who):
    headers = sign_in(api, scene, who)
    may, refused = MATRIX[who]

    answers = each_undone(ACTIONS, lambda action: call(api, scene, action, headers=headers))

    want = {a: spec[-1] if spec[0] in may else refused for a, spec in ACTIONS.items()}
    assert {a: r.status_code for a, r in answers.items()} == want
    for response in answers.values():
        if response.status_code == 401:
            assert response["WWW-Authenticate"] == REALM
        if response.status_code in (401, 403, 404, 409):
            assert detail(response)
        if response.status_code == 404:
            assert detail(response) == "Not found."


HIDDEN_FROM = ["outsider", "staff", "outsider_token", "token_for_other_org", "deactivated"]


@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_hidden_organization_answers_exactly_like_an_unknown_name(api, scene, who):
    if who == "deactivated":  # its own owner, once it is deactivated
        scene.org.is_active = False
        scene.org.save(update_fields=["is_active"])
        who = "org_owner"
    headers = sign_in(api, scene, who)

    def both(action):
        hidden = call(api, scene, action, headers=headers)
        unknown = call(api, scene, action, org="no-such-org", headers=headers)
        return hidden, unknown

    for action, (hidden, unknown) in each_undone(ACTIONS, both).items():
        assert hidden.status_code == unknown.status_code, action
        # 403: a token without the action's scope, told so before any name is looked at.
        assert hidden.status_code in (403, 404), action
        assert hidden.content == unknown.content, action
        assert sorted(hidden.items()) == sorted(unknown.items()), action


@pytest.mark.parametrize("action", [a for a, spec in ACTIONS.items() if spec[3] is not None])
def test_the_404_comes_before_the_body_is_read(api, scene, action):
    """An invalid body to a hidden organization is still the 404 of an unknown name."""
    api.force_login(scene.cast.user("outsider"))
    _, method, path, _, _ = ACTIONS[action]
    path = path.format(team=scene.team.pk, invitation=scene.invitation.pk)
    bad = {"visibilty": "public", "role": "emperor"}

    hidden = getattr(api, method)(f"/api/v1/orgs/acme/{path}", bad, format="json")
    unknown = getattr(api, method)(f"/api/v1/orgs/no-such-org/{path}", bad, format="json")

    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content


# --- organizations themselves: the list and creation ------------------------------------------

LIST = {
    "anon": (401, None),
    "outsider": (200, []),
    "org_member": (200, ["acme"]),
    "owner_read_token": (200, ["acme"]),
    "superuser": (200, ["acme", "globex"]),
    "org_read_token": (403, None),
    "upload_token": (403, None),  # no read scope
}


@pytest.mark.parametrize("who", LIST)
def test_organization_list(api, scene, who):
    assert scene.cast.other_org.name == "globex"  # it exists too
    headers = sign_in(api, scene, who)

    response = api.get("/api/v1/orgs/", **headers)

    status, names = LIST[who]
    assert response.status_code == status, response.content
    if status == 401:
        assert response["WWW-Authenticate"] == REALM
    if names is not None:
        assert [o["normalized_name"] for o in response.json()["results"]] == names


CREATE = {
    "anon": 401,
    "outsider": 201,
    "staff": 201,
    "superuser": 201,
    "owner_token": 201,  # a personal token with the manage scope acts as its person
    "owner_read_token": 403,
    "owner_token_for_org": 403,  # kept to an organization: it acts for no other
    "owner_token_for_project": 403,
    "org_upload_token": 403,
}


@pytest.mark.parametrize("who", CREATE)
def test_organization_create(api, scene, who):
    headers = sign_in(api, scene, who)

    response = api.post("/api/v1/orgs/", {"name": "NewCo"}, format="json", **headers)

    assert response.status_code == CREATE[who], response.content
    if response.status_code == 201:
        body = response.json()
        assert body["name"] == "NewCo" and body["role"] == "owner"
        assert body["default_visibility"] == "private"
        assert response["Location"] == "http://testserver/api/v1/orgs/newco/"


# --- the invited person ------------------------------------------------------------------------

INVITEE_ACTIONS = {
    "mine": ("get", "/api/v1/invitations/", 200),
    "accept": ("post", "/api/v1/invitations/{pk}/accept/", 200),
    "decline": ("post", "/api/v1/invitations/{pk}/decline/", 204),
}
INVITEE = {
    "invitee": None,
    "invitee_token": None,  # every scope
    "invitee_read_token": {"accept": 403, "decline": 403},  # answering needs manage
    "invitee_kept_token": {"mine": 403, "accept": 403, "decline": 403},
    "outsider": {"accept": 404, "decline": 404},  # someone else's reads as none
    "anon": {"mine": 401, "accept": 401, "decline": 401},
    "org_read_token": {"mine": 403, "accept": 403, "decline": 403},
}


def _invitee_headers(api, scene, who):
    invitee = scene.invitation.user
    if who == "invitee":
        api.force_login(invitee)
        return {}
    scopes = {"invitee_token": ALL_SCOPES, "invitee_read_token": ["read"]}.get(who)
    if scopes is not None:
        secret = token_issue(user=invitee, scopes=scopes, actor=None).secret
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    if who == "invitee_kept_token":
        project = factories.ProjectFactory(name="Bobs-Pkg")
        factories.ProjectRoleFactory(project=project, user=invitee)
        secret = token_issue(user=invitee, scopes=ALL_SCOPES, projects=[project], actor=None).secret
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    return sign_in(api, scene, who)


@pytest.mark.parametrize("action", INVITEE_ACTIONS)
@pytest.mark.parametrize("who", INVITEE)
def test_invitee_matrix(api, scene, who, action):
    headers = _invitee_headers(api, scene, who)
    method, path, ok = INVITEE_ACTIONS[action]

    response = getattr(api, method)(path.format(pk=scene.invitation.pk), **headers)

    want = (INVITEE[who] or {}).get(action, ok)
    assert response.status_code == want, response.content
    if want == 401:
        assert response["WWW-Authenticate"] == REALM
    if want == 404:  # someone else's invitation reads as one that does not exist
        unknown = getattr(api, method)(path.format(pk=scene.invitation.pk + 1000), **headers)
        assert response.content == unknown.content
    if action == "mine" and want == 200:
        expected = ["acme"] if who.startswith("invitee") else []
        assert [i["organization"] for i in response.json()["results"]] == expected
