"""An organization owner can do everything in the web UI without staff rights (issue 9): make
a team, bring people in (invite, they accept), give the team a project, issue an organization
token, remove a person; each step is in the audit trail with the owner as actor and the
address the request came from."""

from __future__ import annotations

from django.test import Client

from accounts.models import OrganizationMember
from audit.models import Event
from projects.models import TeamProjectRole
from tests import factories
from tests.accounts.test_org_web_pages import url
from tokens.services import token_authenticate

OWNER_ADDRESS = "203.0.113.7"
CAROL_ADDRESS = "198.51.100.23"


def test_owner_runs_the_organization_from_the_web_ui(cast, django_capture_on_commit_callbacks):
    org = cast.org
    owner = cast.user("org_owner")
    assert not (owner.is_staff or owner.is_superuser)
    project = factories.ProjectFactory(name="acme-app", organization=org)
    leaver = factories.UserFactory(username="leaver")
    factories.OrganizationMemberFactory(organization=org, user=leaver, role="member")
    carol = factories.UserFactory(username="carol")
    browser = Client(REMOTE_ADDR=OWNER_ADDRESS)
    browser.force_login(owner)
    carols = Client(REMOTE_ADDR=CAROL_ADDRESS)
    carols.force_login(carol)

    # 1. A team.
    assert browser.post(url("team-create", "acme"), {"name": "release"}).status_code == 302
    team = org.teams.get(name="release")
    # 2. People: Carol is invited, and accepts; then she joins the team.
    with django_capture_on_commit_callbacks(execute=True):
        invited = browser.post(url("invite", "acme"), {"username": "carol", "role": "member"})
    assert invited.status_code == 302
    [invitation] = carols.get(url("list")).context["invitations"]
    assert carols.post(url("invitation-accept", invitation.pk)).status_code == 302
    added = browser.post(url("team-member-add", "acme", team.pk), {"username": "carol"})
    assert added.status_code == 302
    # 3. The team maintains a project.
    granted = browser.post(
        url("team-role-set", "acme", team.pk), {"project": "acme-app", "role": "maintainer"}
    )
    assert granted.status_code == 302
    # 4. An organization read token.
    issued = browser.post(url("tokens", "acme"), {"name": "deploy", "scopes": ["read"]})
    assert issued.status_code == 200
    secret = issued.context["issued"].secret
    # 5. Someone leaves.
    assert browser.post(url("member-remove", "acme", "leaver")).status_code == 302

    assert OrganizationMember.objects.get(organization=org, user=carol).role == "member"
    assert team.memberships.filter(user=carol).exists()
    assert TeamProjectRole.objects.get(team=team, project=project).role == "maintainer"
    token = token_authenticate(secret)
    assert token is not None and token.organization == org and token.user is None
    assert not OrganizationMember.objects.filter(user=leaver).exists()
    by_owner = {
        "team:create": "team:acme/release",
        "organization:invite": "user:carol",
        "team:member-add": "user:carol",
        "project:team-role-set": "team:acme/release",
        "token:issue": f"token:{token.identifier}",
        "organization:member-remove": "user:leaver",
    }
    for action, target in by_owner.items():
        event = Event.objects.get(action=action, target=target)
        assert (event.actor, event.actor_kind, event.ip) == (owner, "user", OWNER_ADDRESS), action
        assert event.organization == org, action
    for action in ("organization:invitation-accept", "organization:member-set"):
        event = Event.objects.get(action=action, target="user:carol")
        assert (event.actor, event.ip) == (carol, CAROL_ADDRESS), action
