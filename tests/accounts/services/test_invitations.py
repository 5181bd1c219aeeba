"""Invitations to an organization (issue 9): pending until accepted, declined, withdrawn or
expired; each step recorded; mail through Django's email backend."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, OrganizationMember
from audit.models import Event
from tests import factories


@pytest.fixture
def org(db):
    owner = factories.UserFactory(username="olga")
    return services.organization_create(name="acme", owner=owner, actor=None), owner


def test_invite_by_username_and_accept(org, django_capture_on_commit_callbacks):
    organization, owner = org
    bob = factories.UserFactory(username="bob", email="bob@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            organization=organization,
            user=bob,
            role="manager",
            accept_url="https://index.example/org/",
            actor=owner,
        )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@example.com"]
    assert "https://index.example/org/" in mail.outbox[0].body
    assert list(services.invitations_for(user=bob)) == [invitation]

    services.invitation_accept(invitation=invitation, user=bob)

    assert OrganizationMember.objects.get(organization=organization, user=bob).role == "manager"
    assert not services.invitations_for(user=bob).exists()
    actions = list(
        Event.objects.filter(action__startswith="organization:")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == [
        "organization:invite",
        "organization:member-set",
        "organization:invitation-accept",
    ]


def test_invite_by_email_is_accepted_by_the_user_with_that_address(org):
    organization, owner = org
    invitation = services.invitation_create(
        organization=organization, email="Carol@Example.com", role="member", actor=owner
    )
    stranger = factories.UserFactory(email="someone@example.com")
    with pytest.raises(services.AccountError) as refused:
        services.invitation_accept(invitation=invitation, user=stranger)
    assert refused.value.status == 404
    carol = factories.UserFactory(username="carol", email="carol@example.com")
    services.invitation_accept(invitation=invitation, user=carol)
    assert OrganizationMember.objects.filter(organization=organization, user=carol).exists()


def test_duplicates_members_and_closed_invitations_are_refused(org):
    organization, owner = org
    bob = factories.UserFactory(username="bob")
    invitation = services.invitation_create(
        organization=organization, user=bob, role="member", actor=owner
    )
    with pytest.raises(services.AccountError) as again:
        services.invitation_create(organization=organization, user=bob, role="member", actor=owner)
    assert again.value.status == 409
    with pytest.raises(services.AccountError) as member:
        services.invitation_create(
            organization=organization, user=owner, role="member", actor=owner
        )
    assert member.value.status == 409
    services.invitation_decline(invitation=invitation, user=bob)
    with pytest.raises(services.AccountError) as closed:
        services.invitation_accept(invitation=invitation, user=bob)
    assert closed.value.status == 409
    assert Invitation.objects.get(pk=invitation.pk).outcome == "declined"


def test_withdrawn_and_expired_invitations_cannot_be_accepted(org):
    organization, owner = org
    bob = factories.UserFactory(username="bob")
    first = services.invitation_create(
        organization=organization, user=bob, role="member", actor=owner
    )
    services.invitation_withdraw(invitation=first, actor=owner)
    with pytest.raises(services.AccountError):
        services.invitation_accept(invitation=first, user=bob)
    second = services.invitation_create(
        organization=organization, user=bob, role="member", actor=owner
    )
    Invitation.objects.filter(pk=second.pk).update(expires=timezone.now() - dt.timedelta(1))
    assert not services.invitations_for(user=bob).exists()
    with pytest.raises(services.AccountError):
        services.invitation_accept(invitation=second, user=bob)
    assert not OrganizationMember.objects.filter(organization=organization, user=bob).exists()
    assert Event.objects.filter(action="organization:invitation-withdraw").count() == 1


def test_a_leaver_leaves_no_invitation_behind(org):
    organization, owner = org
    bob = factories.UserFactory(username="bob")
    services.organization_member_set(organization=organization, user=bob, role="owner", actor=None)
    mallory = factories.UserFactory(username="mallory")
    sent = services.invitation_create(
        organization=organization, user=mallory, role="owner", actor=bob
    )
    other = factories.UserFactory(username="other")
    to_her = services.invitation_create(
        organization=organization, user=other, role="member", actor=owner
    )
    services.organization_member_set(
        organization=organization, user=other, role="manager", actor=None
    )
    # Adding her directly closed the invitation to her: accepting it cannot change her role.
    assert Invitation.objects.get(pk=to_her.pk).outcome == "superseded"

    services.organization_member_remove(organization=organization, user=bob, actor=owner)
    services.organization_member_remove(organization=organization, user=other, actor=owner)

    # The invitation bob sent died with his membership; she cannot walk back in.
    assert Invitation.objects.get(pk=sent.pk).outcome == "withdrawn"
    for invitation, user in ((sent, mallory), (to_her, other)):
        with pytest.raises(services.AccountError):
            services.invitation_accept(invitation=invitation, user=user)
    assert not OrganizationMember.objects.filter(user__in=[mallory, other]).exists()
    event = Event.objects.filter(action="organization:member-remove").order_by("id").first()
    assert event.data["invitations_withdrawn"] == ["mallory"]


def test_a_demoted_owner_invitations_are_withdrawn(org):
    organization, owner = org
    bob = factories.UserFactory(username="bob")
    services.organization_member_set(organization=organization, user=bob, role="owner", actor=None)
    sent = services.invitation_create(
        organization=organization, email="x@example.org", role="owner", actor=bob
    )
    services.organization_member_set(
        organization=organization, user=bob, role="member", actor=owner
    )
    assert Invitation.objects.get(pk=sent.pk).outcome == "withdrawn"


def test_an_email_invitation_does_not_say_whose_address_it_is(org):
    organization, owner = org
    factories.UserFactory(username="root", email="root@example.org")
    invitation = services.invitation_create(
        organization=organization, email="root@example.org", role="member", actor=owner
    )
    assert invitation.user is None and invitation.email == "root@example.org"
    assert "root" not in Event.objects.get(action="organization:invite").target.split(":")[0]


def test_an_overlong_address_is_refused_not_a_500(org):
    organization, owner = org
    with pytest.raises(services.AccountError, match="at most 254 characters"):
        services.invitation_create(
            organization=organization, email="a" * 250 + "@example.org", role="member", actor=owner
        )


@pytest.mark.parametrize("leaves", ["deactivated", "deleted", "demoted"])
def test_an_invitation_is_worth_no_more_than_its_sender(org, leaves):
    organization, _owner = org
    frank = factories.UserFactory(username="frank")
    services.organization_member_set(
        organization=organization, user=frank, role="owner", actor=None
    )
    gina = factories.UserFactory(username="gina")
    invitation = services.invitation_create(
        organization=organization, user=gina, role="owner", actor=frank
    )
    if leaves == "deactivated":
        services.user_update(user=frank, is_active=False, actor=None)
    elif leaves == "deleted":
        services.user_delete(user=frank, actor=None)
    else:
        # Demoted by hand, past the service that would withdraw what frank sent.
        OrganizationMember.objects.filter(user=frank).update(role="member")

    with pytest.raises(services.AccountError) as refused:
        services.invitation_accept(invitation=invitation, user=gina)

    assert refused.value.status in (404, 409)
    assert not OrganizationMember.objects.filter(user=gina).exists()


def test_accepting_does_not_count_as_superseding(org):
    organization, owner = org
    bob = factories.UserFactory(username="bob")
    invitation = services.invitation_create(
        organization=organization, user=bob, role="member", actor=owner
    )
    services.invitation_accept(invitation=invitation, user=bob)
    assert Invitation.objects.get(pk=invitation.pk).outcome == "accepted"
    member_set = Event.objects.filter(action="organization:member-set").order_by("id").last()
    assert member_set.data["invitations_closed"] == []
