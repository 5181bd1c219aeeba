"""The organization pages of the web UI (issue 9): who gets which answer on every page and
form. Owners manage; owners and managers run teams and issue tokens; members read; anyone
else gets the 404 of a name that does not exist (DESIGN 4); whoever is not signed in is sent
to the login page; a deactivated organization is seen by superusers only; forms need CSRF.

The other ``test_org_web_*`` files import the scene from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation, Organization, Team, User
from accounts.services import invitation_create, organization_update
from projects.models import Project
from tests import factories
from tokens.models import Token

LOGIN = "/account/login/?next="


@dataclass
class Scene:
    """Acme (owned by org_owner, managed by org_manager, with org_member in its team devs),
    its private project acme-app (devs are readers), extra (a member to change or remove),
    a pending invitation of invitee, newbie (no one yet) and Acme's own read token."""

    org: Organization
    project: Project
    team: Team
    extra: User
    invitation: Invitation
    token: Token

    @property
    def name(self) -> str:
        return self.org.normalized_name


def make_scene(cast: Any) -> Scene:
    org = cast.org
    cast.ensure("org_owner", "org_manager", "org_member")
    project = factories.ProjectFactory(name="acme-app", organization=org, visibility="private")
    team = factories.TeamFactory(organization=org, name="devs")
    factories.TeamMemberFactory(team=team, user=cast.user("org_member"))
    factories.TeamProjectRoleFactory(project=project, team=team, role="reader")
    extra = factories.UserFactory(username="extra")
    factories.OrganizationMemberFactory(organization=org, user=extra, role="member")
    invitation = invitation_create(
        organization=org,
        role="member",
        user=factories.UserFactory(username="invitee"),
        actor=cast.user("org_owner"),
    )
    factories.UserFactory(username="newbie")
    return Scene(org, project, team, extra, invitation, cast.issued("org_read_token").token)


@pytest.fixture
def scene(cast):
    return make_scene(cast)


def url(name: str, *args: Any) -> str:
    return reverse(f"orgs:{name}", args=args)


# Every form: (URL, data, what the caller needs). "manage": owners; "teams" and "issue":
# owners and managers. Each succeeds against a fresh scene.
FORMS: dict[str, tuple[Any, dict[str, Any], str]] = {
    "invite": (lambda s: url("invite", s.name), {"username": "newbie", "role": "member"}, "manage"),
    "invitation-withdraw": (
        lambda s: url("invitation-withdraw", s.name, s.invitation.pk),
        {},
        "manage",
    ),
    "settings": (lambda s: url("settings", s.name), {"default_visibility": "public"}, "manage"),
    "member-role": (lambda s: url("member-role", s.name, "extra"), {"role": "manager"}, "manage"),
    "member-remove": (lambda s: url("member-remove", s.name, "extra"), {}, "manage"),
    "team-create": (lambda s: url("team-create", s.name), {"name": "ops"}, "teams"),
    "team-delete": (lambda s: url("team-delete", s.name, s.team.pk), {}, "teams"),
    "team-member-add": (
        lambda s: url("team-member-add", s.name, s.team.pk),
        {"username": "extra"},
        "teams",
    ),
    "team-member-remove": (
        lambda s: url("team-member-remove", s.name, s.team.pk, "org_member"),
        {},
        "teams",
    ),
    "team-role-set": (
        lambda s: url("team-role-set", s.name, s.team.pk),
        {"project": "acme-app", "role": "maintainer"},
        "teams",
    ),
    "team-role-remove": (
        lambda s: url("team-role-remove", s.name, s.team.pk, "acme-app"),
        {},
        "teams",
    ),
    "token-issue": (lambda s: url("tokens", s.name), {"scopes": ["read"]}, "issue"),
    "token-revoke": (lambda s: url("token-revoke", s.name, s.token.pk), {}, "manage"),
}
PAGES: dict[str, tuple[Any, str]] = {
    "detail": (lambda s: url("detail", s.name), "read"),
    "tokens": (lambda s: url("tokens", s.name), "issue"),
}
MAY: dict[str, set[str]] = {
    "org_member": {"read"},
    "org_manager": {"read", "teams", "issue"},
    "org_owner": {"read", "teams", "issue", "manage"},
    "superuser": {"read", "teams", "issue", "manage"},  # a site administrator, not a member
}
CALLERS = ["anon", "outsider", *MAY]


def signed_in(client: Client, cast: Any, caller: str) -> Client:
    if caller != "anon":
        client.force_login(cast.user(caller))
    return client


def expect_refused(response: Any, caller: str, need: str, *, active: bool = True) -> bool:
    """Check the refusal ``caller`` gets, if any; True when they are let in."""
    if caller == "anon":
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        return False
    if caller == "outsider" or (not active and caller != "superuser"):
        assert response.status_code == 404
        assert response.templates[0].name == "web/not_found.html"
        return False
    if need not in MAY[caller]:
        assert response.status_code == 403
        assert b"Only owners" in response.content
        return False
    return True


@pytest.mark.parametrize("active", [True, False], ids=["active", "deactivated"])
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("page", PAGES)
def test_each_page_answers_each_caller(client, cast, scene, caller, page, active):
    if not active:
        organization_update(organization=scene.org, is_active=False, actor=None)
    path, need = PAGES[page]

    response = signed_in(client, cast, caller).get(path(scene))

    if expect_refused(response, caller, need, active=active):
        assert response.status_code == 200
        assert response.context["org"] == scene.org


@pytest.mark.parametrize("active", [True, False], ids=["active", "deactivated"])
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("form", FORMS)
def test_each_form_answers_each_caller(client, cast, scene, caller, form, active):
    if not active:
        organization_update(organization=scene.org, is_active=False, actor=None)
    path, data, need = FORMS[form]

    response = signed_in(client, cast, caller).post(path(scene), data)

    if not expect_refused(response, caller, need, active=active):
        return
    if not active:
        # A superuser is let in; a service may refuse some changes to a deactivated
        # organization (its tokens, its projects' roles): said on the page, never a 500.
        assert response.status_code in (200, 302, 400)
        if response.status_code == 400:
            assert b'class="form-errors' in response.content
    elif form == "token-issue":
        assert response.status_code == 200  # issued, and shown
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] in (url("detail", scene.name), url("tokens", scene.name))


def test_refused_forms_change_nothing(client, cast, scene):
    """A member's forged posts: each refused with 403, and the scene is as it was."""
    client.force_login(cast.user("org_member"))
    before = (
        sorted(scene.org.members.values_list("user__username", "role")),
        sorted(Team.objects.values_list("name", flat=True)),
        Token.objects.count(),
        Invitation.objects.filter(closed__isnull=True).count(),
    )

    statuses = {
        form: client.post(path(scene), data).status_code for form, (path, data, _) in FORMS.items()
    }

    assert set(statuses.values()) == {403}
    assert before == (
        sorted(scene.org.members.values_list("user__username", "role")),
        sorted(Team.objects.values_list("name", flat=True)),
        Token.objects.count(),
        Invitation.objects.filter(closed__isnull=True).count(),
    )


def test_my_organizations_page_needs_a_session(client, cast, scene):
    anonymous = client.get(url("list"))
    client.force_login(cast.user("org_manager"))
    mine = client.get(url("list"))

    assert anonymous.status_code == 302
    assert anonymous["Location"] == LOGIN + "/org/"
    assert mine.status_code == 200
    assert [(m.organization.name, m.role) for m in mine.context["memberships"]] == [
        ("acme", "manager")
    ]


@pytest.mark.parametrize("page", ["detail", "tokens"])
def test_hidden_organization_is_404_identical_to_unknown_name(client, cast, scene, page):
    """An outsider, a member of a deactivated organization and anyone asking for a name
    that does not exist read the same bytes (DESIGN 4)."""
    client.force_login(cast.user("outsider"))
    private = client.get(url(page, "acme"))
    unknown = client.get(url(page, "no-such-org"))
    posted = client.post(url("team-create", "acme"), {"name": "x"})
    posted_unknown = client.post(url("team-create", "no-such-org"), {"name": "x"})
    organization_update(organization=scene.org, is_active=False, actor=None)
    member = Client()
    member.force_login(cast.user("outsider"))
    # The top bar names the signed-in user: compare as the same user.
    cast.org.members.create(user=cast.user("outsider"), role="owner")
    deactivated = member.get(url(page, "acme"))

    assert private.status_code == unknown.status_code == deactivated.status_code == 404
    assert posted.status_code == posted_unknown.status_code == 404
    assert private.content == unknown.content == deactivated.content == posted.content
    assert b"acme" not in private.content


def test_anonymous_form_post_is_sent_to_the_login_page_and_back(client, scene):
    response = client.post(url("team-create", "Acme"), {"name": "ops"})

    assert response.status_code == 302
    assert response["Location"] == LOGIN + "/org/acme/"
    assert not Team.objects.filter(name="ops").exists()


def test_token_or_bad_credentials_cannot_use_the_pages(client, cast, scene):
    """The pages are for signed-in people: a token is refused (403, whatever the name),
    credentials that are not valid are a 401, never anonymous (S4.10)."""
    token = cast.headers("org_upload_token")

    with_token = client.get(url("detail", "acme"), **token)
    with_token_unknown = client.get(url("detail", "no-such-org"), **token)
    bad = client.get(url("detail", "acme"), HTTP_AUTHORIZATION="Basic ***")
    posted = client.post(url("team-create", "acme"), {"name": "ops"}, **token)

    assert with_token.status_code == with_token_unknown.status_code == posted.status_code == 403
    assert with_token.content == with_token_unknown.content
    assert bad.status_code == 401
    assert not Team.objects.filter(name="ops").exists()


def test_other_spellings_redirect_to_the_normalized_name(client, cast, scene):
    client.force_login(cast.user("org_owner"))

    detail = client.get("/org/ACME/")
    tokens = client.get("/org/ACME/tokens/")

    assert (detail.status_code, detail["Location"]) == (301, "/org/acme/")
    assert (tokens.status_code, tokens["Location"]) == (301, "/org/acme/tokens/")


def test_forms_need_the_csrf_token(cast, scene):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.user("org_owner"))

    forged = client.post(url("team-create", "acme"), {"name": "ops"})
    page = client.get(url("detail", "acme"))
    genuine = client.post(
        url("team-create", "acme"),
        {"name": "ops", "csrfmiddlewaretoken": page.cookies["csrftoken"].value},
    )

    assert forged.status_code == 403
    assert genuine.status_code == 302
    assert list(Team.objects.filter(organization=scene.org).values_list("name", flat=True)) == [
        "devs",
        "ops",
    ]


def test_pages_are_never_shared_between_callers(client, cast, scene):
    client.force_login(cast.user("org_owner"))

    detail = client.get(url("detail", "acme"))
    tokens = client.get(url("tokens", "acme"))

    assert "private" in detail["Cache-Control"]
    assert "no-store" in tokens["Cache-Control"]


def test_detail_page_shows_what_a_member_may_see(client, cast, scene):
    """Members see the organization's projects they may read (not another organization's),
    its members with their roles and its teams with members and project roles; no form."""
    factories.ProjectFactory(name="globex-app", organization=cast.other_org)
    factories.ProjectFactory(name="loose", visibility="public")
    client.force_login(cast.user("org_member"))

    response = client.get(url("detail", "acme"))

    context = response.context
    assert [p.name for p in context["projects"]] == ["acme-app"]
    assert [(m.user.username, m.role) for m in context["members"]] == [
        ("extra", "member"),
        ("org_manager", "manager"),
        ("org_member", "member"),
        ("org_owner", "owner"),
    ]
    [team] = context["teams"]
    assert [m.user.username for m in team.memberships.all()] == ["org_member"]
    assert [(r.project.name, r.role) for r in team.project_roles.all()] == [("acme-app", "reader")]
    assert context["my_membership"].role == "member"
    assert (context["can_manage"], context["can_manage_teams"], context["can_issue_tokens"]) == (
        False,
        False,
        False,
    )
    body = response.content.decode()
    assert "globex-app" not in body
    assert body.count('method="post"') == 1  # the logout button only
    assert "/tokens/" not in body.replace('href="/account/tokens/"', "")


@pytest.mark.parametrize(
    ("caller", "links"),
    [("org_owner", {"tokens", "audit"}), ("org_manager", {"tokens"}), ("org_member", set())],
)
def test_detail_page_links_to_tokens_and_audit_log_by_role(client, cast, scene, caller, links):
    client.force_login(cast.user(caller))

    response = client.get(url("detail", "acme"))

    body = response.content.decode()
    assert ('href="/org/acme/tokens/"' in body) == ("tokens" in links)
    assert ('href="/org/acme/audit/"' in body) == ("audit" in links)
    assert (response.context["audit_url"] is not None) == ("audit" in links)


def test_navigation_links_organizations_for_signed_in_users(client, cast, scene):
    anonymous = client.get("/")
    client.force_login(cast.user("org_member"))
    signed = client.get("/")

    assert b'href="/org/"' not in anonymous.content
    assert b'href="/org/">Organizations</a>' in signed.content


def test_a_signed_in_user_creates_an_organization_and_owns_it(client, db, settings):
    from accounts.models import Organization, OrganizationMember

    ann = factories.UserFactory(username="ann")
    client.force_login(ann)
    assert b'name="name"' in client.get("/org/").content

    created = client.post("/org/", {"name": "NewCo", "default_visibility": "public"})

    assert created.status_code == 302 and created["Location"] == "/org/newco/"
    org = Organization.objects.get(normalized_name="newco")
    assert org.default_visibility == "public"
    assert OrganizationMember.objects.get(organization=org).user == ann
    assert client.get("/org/newco/").status_code == 200
    taken = client.post("/org/", {"name": "newco"})
    assert taken.status_code == 409
    settings.PRIVINDEX_ORGANIZATION_CREATORS = "staff"
    assert b'name="name"' not in client.get("/org/").content
    refused = client.post("/org/", {"name": "Other"})
    assert refused.status_code == 403
    assert not Organization.objects.filter(normalized_name="other").exists()
