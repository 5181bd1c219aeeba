"""``createtoken --org-owned ORG`` (issue 9): an organization token, owned by the organization
and by no user, printed alone on standard output. It reads (and with ``upload``, uploads to)
its organization's projects only, and outlives whoever issued it."""

import io
import shlex

import pytest
from django.core.management import CommandError, call_command

from access import Action, Principal, decide
from accounts.services import organization_member_remove, user_update
from audit.models import ActorKind, Event
from tests import factories
from tokens.models import Token
from tokens.services import token_authenticate


def run(command_line):
    out, err = io.StringIO(), io.StringIO()
    call_command(*shlex.split(command_line), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def acme(owner):
    org = factories.OrganizationFactory(name="Acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    return org


@pytest.fixture
def manager(acme):
    user = factories.UserFactory(username="mallory")
    factories.OrganizationMemberFactory(organization=acme, user=user, role="manager")
    return user


@pytest.fixture
def acme_project(acme):
    return factories.ProjectFactory(name="Acme-Lib", organization=acme, visibility="private")


@pytest.fixture
def globex_project(db):
    globex = factories.OrganizationFactory(name="Globex")
    return factories.ProjectFactory(name="Globex-App", organization=globex, visibility="private")


def test_org_owned_token_is_printed_alone_and_reads_its_private_project(
    acme, acme_project, globex_project
):
    out, err = run("createtoken --org-owned ACME --scope read --name deploy")

    lines = out.splitlines()
    assert len(lines) == 1 and out == lines[0] + "\n"
    token = token_authenticate(lines[0])
    assert token is not None
    assert (token.user, token.organization, token.created_by) == (None, acme, None)
    assert (token.scopes, token.name) == (["read"], "deploy")
    assert token.identifier in err and lines[0] not in err
    principal = Principal(token=token)
    assert principal.organization_token
    assert decide(principal, Action.READ, acme_project, surface=None)
    assert not decide(principal, Action.UPLOAD, acme_project, surface=None)
    assert not decide(principal, Action.READ, globex_project, surface=None)
    event = Event.objects.get(action="token:issue")
    assert (event.actor, event.actor_kind) == (None, ActorKind.SYSTEM)
    assert event.actor_name.startswith("system (")
    assert event.organization == acme and event.data["organization_token"] is True
    assert lines[0] not in str(event.data)


def test_org_owned_token_restricted_to_some_of_its_projects(acme, acme_project):
    other = factories.ProjectFactory(name="Acme-Other", organization=acme)

    out, _ = run("createtoken --org-owned acme --scope read --scope upload --project acme_lib")

    token = token_authenticate(out.strip())
    assert list(token.projects.all()) == [acme_project]
    assert decide(Principal(token=token), Action.UPLOAD, acme_project, surface=None)
    assert not decide(Principal(token=token), Action.READ, other, surface=None)


def test_org_owned_token_records_its_issuer(acme, manager, acme_project):
    out, _ = run("createtoken --org-owned acme --scope read --created-by mallory")

    token = token_authenticate(out.strip())
    assert token.user is None and token.created_by == manager
    # The command issued it: the event is the system's, and names the person it was made for.
    event = Event.objects.get(action="token:issue")
    assert event.actor is None and event.actor_kind == "system"
    assert event.data["created_by"] == "mallory"


@pytest.mark.parametrize("leaves", ["deactivated", "removed from the organization"])
def test_org_owned_token_outlives_its_issuer(acme, manager, acme_project, leaves):
    out, _ = run("createtoken --org-owned acme --scope read --created-by mallory")

    if leaves == "deactivated":
        user_update(user=manager, is_active=False, actor=None)
    else:
        organization_member_remove(organization=acme, user=manager, actor=None)

    token = token_authenticate(out.strip())
    assert token is not None and token.revoked is None
    assert decide(Principal(token=token), Action.READ, acme_project, surface=None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("--org-owned acme --scope manage", "read and upload scopes only"),
        ("--org-owned acme --scope read --project globex-app", "covers only projects of 'Acme'"),
        ("--org-owned acme --scope read --project no-such", "Unknown project 'no-such'"),
        ("--org-owned nowhere --scope read", "Unknown organization 'nowhere'"),
        ("--org-owned acme --scope write", "Unknown scope"),
        ("owner --org-owned acme --scope read", "exactly one"),
        ("--scope read", "exactly one"),
        ("--org-owned acme --org acme --scope read", "--org restricts a personal token"),
        ("owner --created-by owner --scope read", "organization token only"),
        ("--org-owned acme --scope read --created-by nobody", "Unknown user 'nobody'"),
        ("--org-owned acme --scope read --created-by member", "only its owners and managers"),
        ("--org-owned acme --scope read --created-by outsider", "only its owners and managers"),
        ("--org-owned acme --scope read --created-by foreign", "only its owners and managers"),
        ("--org-owned acme --scope read --created-by retired", "'retired' is deactivated"),
    ],
)
def test_org_owned_token_refusals_issue_nothing(acme, acme_project, globex_project, args, message):
    member = factories.UserFactory(username="member")
    factories.OrganizationMemberFactory(organization=acme, user=member, role="member")
    factories.UserFactory(username="outsider")
    foreign = factories.UserFactory(username="foreign")
    factories.OrganizationMemberFactory(
        organization=globex_project.organization, user=foreign, role="owner"
    )
    retired = factories.UserFactory(username="retired", is_active=False)
    factories.OrganizationMemberFactory(organization=acme, user=retired, role="owner")

    with pytest.raises(CommandError, match=message):
        run(f"createtoken {args}")

    assert not Token.objects.exists()
    assert not Event.objects.exists()


def test_org_owned_token_of_a_deactivated_organization_is_refused(db):
    factories.OrganizationFactory(name="Closed", is_active=False)

    with pytest.raises(CommandError, match="'Closed' is deactivated"):
        run("createtoken --org-owned closed --scope read")
    assert not Token.objects.exists()


def test_personal_token_restricted_to_an_organization_needs_a_member(acme):
    factories.UserFactory(username="outsider")

    with pytest.raises(CommandError, match="'outsider' is not a member of 'Acme'"):
        run("createtoken outsider --org acme --scope read")
    assert not Token.objects.exists()
