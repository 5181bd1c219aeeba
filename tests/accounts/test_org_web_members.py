"""Members through the web UI (issue 9): owners invite by username or email address (the
invitee is mailed the page where they accept), change roles and remove members, withdraw
invitations and set the default visibility; an organization keeps its last owner (409, and
nothing changes)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Invitation, OrganizationMember
from accounts.services.base import LAST_OWNER
from audit.models import Event
from tests import factories
from tests.accounts.test_org_web_pages import make_scene, url


@pytest.fixture
def scene(cast):
    return make_scene(cast)


@pytest.fixture
def owner_client(client, cast, scene):
    client.force_login(cast.user("org_owner"))
    return client


def invite(client, django_capture_on_commit_callbacks, **data):
    # The mail goes out when the invitation's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url("invite", "acme"), data)


def test_invitation_by_username_mails_the_accept_page_and_accepting_makes_a_member(
    owner_client, cast, scene, django_capture_on_commit_callbacks
):
    newbie = factories.UserFactory(username="carol")
    sent = invite(
        owner_client, django_capture_on_commit_callbacks, username="carol", role="manager"
    )
    carol = Client()
    carol.force_login(newbie)
    listed = carol.get(url("list"))
    [invitation] = listed.context["invitations"]

    accepted = carol.post(url("invitation-accept", invitation.pk))

    assert (sent.status_code, sent["Location"]) == (302, "/org/acme/")
    [message] = mail.outbox
    assert message.to == ["carol@example.org"]
    assert "http://testserver/org/" in message.body
    assert "acme" in message.subject
    assert (invitation.organization, invitation.role) == (scene.org, "manager")
    assert b"Accept" in listed.content
    assert (accepted.status_code, accepted["Location"]) == (302, "/org/acme/")
    assert OrganizationMember.objects.get(organization=scene.org, user=newbie).role == "manager"
    assert carol.get(url("detail", "acme")).status_code == 200
    invited = Event.objects.get(action="organization:invite", target="user:carol")
    joined = Event.objects.get(action="organization:invitation-accept")
    member_set = Event.objects.get(action="organization:member-set", target="user:carol")
    assert invited.actor == cast.user("org_owner")
    assert joined.actor == member_set.actor == newbie
    assert member_set.data["role"] == "manager"
    assert {invited.organization, joined.organization, member_set.organization} == {scene.org}


def test_invitation_by_email_reaches_whoever_has_the_address(
    owner_client, scene, django_capture_on_commit_callbacks
):
    sent = invite(
        owner_client,
        django_capture_on_commit_callbacks,
        email="dana@elsewhere.example",
        role="member",
    )
    dana = factories.UserFactory(username="dana", email="Dana@elsewhere.example")
    client = Client()
    client.force_login(dana)
    [invitation] = client.get(url("list")).context["invitations"]

    accepted = client.post(url("invitation-accept", invitation.pk))

    assert sent.status_code == 302
    [message] = mail.outbox
    assert message.to == ["dana@elsewhere.example"]
    assert "http://testserver/org/" in message.body
    assert accepted.status_code == 302
    assert OrganizationMember.objects.get(organization=scene.org, user=dana).role == "member"
    invited = Event.objects.filter(action="organization:invite").first()  # the newest
    assert invited is not None
    assert invited.target == "email:dana@elsewhere.example"


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"username": "nobody", "role": "member"}, 400, "No active user is named"),
        ({"username": "newbie", "email": "n@example.org", "role": "member"}, 400, "not both"),
        ({"role": "member"}, 400, "Invite a user by username or by email address."),
        ({"email": "not an address", "role": "member"}, 400, "valid email"),
        ({"username": "newbie", "role": "admin"}, 400, "not one of the available choices"),
        ({"username": "extra", "role": "member"}, 409, "already a member"),
        ({"username": "invitee", "role": "member"}, 409, "already a pending invitation"),
    ],
)
def test_refused_invitation_is_shown_on_the_page_and_records_nothing(
    owner_client, scene, django_capture_on_commit_callbacks, data, status, message
):
    events, invitations = Event.objects.count(), Invitation.objects.count()

    response = invite(owner_client, django_capture_on_commit_callbacks, **data)

    assert response.status_code == status
    assert response.templates[0].name == "orgs/detail.html"
    assert message in response.context["error"]
    assert (Event.objects.count(), Invitation.objects.count()) == (events, invitations)
    assert mail.outbox == []


def test_declined_invitation_makes_no_member(cast, scene):
    client = Client()
    invitee = scene.invitation.user
    client.force_login(invitee)

    response = client.post(url("invitation-decline", scene.invitation.pk))

    assert (response.status_code, response["Location"]) == (302, "/org/")
    assert not OrganizationMember.objects.filter(user=invitee).exists()
    assert client.get(url("list")).context["invitations"] == []
    assert Event.objects.get(action="organization:invitation-decline").actor == invitee


def test_someone_elses_invitation_reads_as_missing(client, cast, scene):
    client.force_login(cast.user("outsider"))

    accepted = client.post(url("invitation-accept", scene.invitation.pk))
    declined = client.post(url("invitation-decline", scene.invitation.pk))
    unknown = client.post(url("invitation-accept", 999999))

    assert accepted.status_code == declined.status_code == unknown.status_code == 404
    assert accepted.content == unknown.content
    assert not OrganizationMember.objects.filter(user=cast.user("outsider")).exists()


def test_anonymous_accept_is_sent_to_the_login_page(client, scene):
    response = client.post(url("invitation-accept", scene.invitation.pk))

    assert (response.status_code, response["Location"]) == (302, "/account/login/?next=/org/")
    assert Invitation.objects.get(pk=scene.invitation.pk).closed is None


def test_withdrawn_invitation_can_no_longer_be_accepted(owner_client, scene):
    invitee = Client()
    invitee.force_login(scene.invitation.user)

    withdrawn = owner_client.post(url("invitation-withdraw", "acme", scene.invitation.pk))
    page = owner_client.get(url("detail", "acme"))
    accepted = invitee.post(url("invitation-accept", scene.invitation.pk))

    assert withdrawn.status_code == 302
    assert page.context["invitations"] == []
    assert accepted.status_code == 404
    assert Event.objects.filter(action="organization:invitation-withdraw").count() == 1


def test_owner_sees_pending_invitations_others_do_not(client, cast, scene):
    client.force_login(cast.user("org_owner"))
    owner_page = client.get(url("detail", "acme"))
    client.force_login(cast.user("org_manager"))
    manager_page = client.get(url("detail", "acme"))

    assert owner_page.context["invitations"] == [scene.invitation]
    assert b"invitee" in owner_page.content
    assert manager_page.context["invitations"] == []
    assert b"invitee" not in manager_page.content


def test_owner_changes_a_members_role(owner_client, cast, scene):
    response = owner_client.post(url("member-role", "acme", "org_member"), {"role": "manager"})

    assert (response.status_code, response["Location"]) == (302, "/org/acme/")
    member = OrganizationMember.objects.get(organization=scene.org, user=cast.user("org_member"))
    assert member.role == "manager"
    event = Event.objects.get(action="organization:member-set", target="user:org_member")
    assert (event.actor, event.data["previous"], event.data["role"]) == (
        cast.user("org_owner"),
        "member",
        "manager",
    )
    followed = owner_client.get(response["Location"])
    assert b"org_member is now manager of acme." in followed.content


def test_role_form_never_adds_someone_who_is_not_a_member(owner_client, scene):
    """People join by invitation: the role form only changes a member's role."""
    response = owner_client.post(url("member-role", "acme", "newbie"), {"role": "owner"})

    assert response.status_code == 404
    assert "'newbie' is not a member of 'acme'." in response.context["error"]
    assert not OrganizationMember.objects.filter(user__username="newbie").exists()


@pytest.mark.parametrize("form", ["member-role", "member-remove"])
def test_last_owner_is_neither_demoted_nor_removed(owner_client, cast, scene, form):
    events = Event.objects.count()

    response = owner_client.post(url(form, "acme", "org_owner"), {"role": "member"})

    assert response.status_code == 409
    assert response.context["error"] == LAST_OWNER
    assert LAST_OWNER.encode() in response.content.replace(b"&#x27;", b"'")
    owner = OrganizationMember.objects.get(organization=scene.org, user=cast.user("org_owner"))
    assert owner.role == "owner"
    assert Event.objects.count() == events


def test_an_owner_may_leave_once_there_is_another(owner_client, cast, scene):
    owner_client.post(url("member-role", "acme", "org_manager"), {"role": "owner"})

    response = owner_client.post(url("member-remove", "acme", "org_owner"))

    assert response.status_code == 302 and response["Location"] == "/org/"  # no longer theirs
    assert not OrganizationMember.objects.filter(user=cast.user("org_owner")).exists()
    assert owner_client.get(url("detail", "acme")).status_code == 404


def test_removed_member_loses_the_organization_and_its_teams(owner_client, cast, scene):
    member = cast.user("org_member")

    response = owner_client.post(url("member-remove", "acme", "org_member"))

    assert response.status_code == 302
    assert not OrganizationMember.objects.filter(user=member).exists()
    assert not scene.team.memberships.filter(user=member).exists()
    event = Event.objects.get(action="organization:member-remove")
    assert (event.actor, event.target, event.data["teams"]) == (
        cast.user("org_owner"),
        "user:org_member",
        ["devs"],
    )
    gone = Client()
    gone.force_login(member)
    assert gone.get(url("detail", "acme")).status_code == 404


def test_removing_someone_who_is_not_a_member_is_refused(owner_client, scene):
    response = owner_client.post(url("member-remove", "acme", "newbie"))

    assert response.status_code == 404
    assert "'newbie' is not a member of 'acme'." in response.context["error"]


def test_owner_sets_the_default_visibility(owner_client, cast, scene):
    response = owner_client.post(url("settings", "acme"), {"default_visibility": "public"})
    refused = owner_client.post(url("settings", "acme"), {"default_visibility": "secret"})

    scene.org.refresh_from_db()
    assert response.status_code == 302
    assert scene.org.default_visibility == "public"
    event = Event.objects.get(action="organization:update")
    assert event.actor == cast.user("org_owner")
    assert event.data["current"] == {"default_visibility": "public"}
    assert refused.status_code == 400


def test_an_owner_deletes_an_organization_once_it_owns_no_project(client, db):
    from accounts.models import Organization

    owner = factories.UserFactory(username="olga")
    org = factories.OrganizationFactory(name="Gone")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    project = factories.ProjectFactory(name="kept", organization=org)
    client.force_login(owner)

    wrong = client.post("/org/gone/delete/", {"confirm": "gone"})
    assert wrong.status_code == 400 and "Type the name" in wrong.content.decode()
    refused = client.post("/org/gone/delete/", {"confirm": "Gone"})
    assert (
        refused.status_code == 409 and "still owns 1 project(s) (kept)" in refused.content.decode()
    )
    assert Organization.objects.filter(pk=org.pk).exists()

    project.delete()
    done = client.post("/org/gone/delete/", {"confirm": "Gone"})
    assert done.status_code == 302 and done["Location"] == "/org/"
    assert not Organization.objects.filter(pk=org.pk).exists()
    assert Event.objects.get(action="organization:delete").actor == owner


def test_a_manager_cannot_delete_the_organization(client, db):
    org = factories.OrganizationFactory(name="Kept")
    manager = factories.OrganizationMemberFactory(organization=org, role="manager").user
    client.force_login(manager)
    assert client.post("/org/kept/delete/", {"confirm": "Kept"}).status_code == 403
