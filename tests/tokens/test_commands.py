"""createtoken and revoketoken."""

import datetime as dt
import io
import shlex

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import Event
from tests import factories
from tokens.models import Token
from tokens.services import token_authenticate, token_issue


def run(command_line):
    out, err = io.StringIO(), io.StringIO()
    call_command(*shlex.split(command_line), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def database_dump() -> str:
    return "".join(
        serializers.serialize("json", model._default_manager.all()) for model in apps.get_models()
    )


def test_createtoken_prints_only_a_working_token(owner):
    out, err = run("createtoken owner --scope read --scope upload --name ci")

    lines = out.splitlines()
    assert len(lines) == 1 and out.endswith("\n")
    token = token_authenticate(lines[0])
    assert token is not None
    assert token.user == owner
    assert token.scopes == ["read", "upload"]
    assert token.name == "ci"
    assert token.expires is None
    assert token.organization is None and not token.projects.exists()
    assert token.identifier in err
    assert lines[0] not in err


def test_createtoken_restricts_to_projects_by_any_spelling(owner, private_project, other_project):
    out, _ = run("createtoken owner --scope read --project secret_pkg --project OTHER.pkg")

    token = token_authenticate(out.strip())
    assert set(token.projects.all()) == {private_project, other_project}


def test_createtoken_restricts_to_organization_and_expires(owner):
    org = factories.OrganizationFactory(name="Acme-Corp")
    # A token is restricted only to an organization its user belongs to (issue 9).
    factories.OrganizationMemberFactory(organization=org, user=owner, role="member")

    out, _ = run("createtoken owner --scope manage --org acme_corp --expires-in-days 30")

    token = token_authenticate(out.strip())
    assert token.organization == org
    assert token.scopes == ["manage"]
    expected = timezone.now() + dt.timedelta(days=30)
    assert abs(token.expires - expected) < dt.timedelta(minutes=1)


def test_createtoken_secret_is_stored_nowhere(owner, private_project):
    out, _ = run("createtoken owner --scope read --project Secret-Pkg")
    raw = out.strip()
    secret_part = raw.split("_", 2)[2][:-6]

    event = Event.objects.get(action="token:issue")
    assert event.data["projects"] == ["secret-pkg"]
    assert raw not in str(event.data) and secret_part not in str(event.data)
    dump = database_dump()
    assert raw not in dump
    assert secret_part not in dump


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("nobody --scope read", "Unknown user 'nobody'"),
        ("owner --scope write", "Unknown scope"),
        ("owner --scope read --project no-such", "Unknown project 'no-such'"),
        ("owner --scope read --org no-such", "Unknown organization 'no-such'"),
        ("owner --scope read --expires-in-days 0", "at least 1"),
        ("owner --scope read --expires-in-days 3651", "at most 3650 days"),
        ("owner --scope read --expires-in-days 99999999", "at most 3650 days"),
        ("owner --scope read --expires-in-days 9999999999", "at most 3650 days"),  # overflows
        (f"owner --scope read --name {'n' * 101}", "at most 100 characters"),
    ],
)
def test_createtoken_rejects_bad_input(owner, args, message):
    with pytest.raises(CommandError, match=message):
        run(f"createtoken {args}")
    assert not Token.objects.exists()


def test_createtoken_is_recorded_as_the_system_not_the_owner(owner):
    out, _ = run("createtoken owner --scope read")

    issue = Event.objects.get(action="token:issue")
    assert issue.token == token_authenticate(out.strip())
    assert issue.actor is None


def test_createtoken_requires_a_scope(owner):
    with pytest.raises(CommandError, match="--scope"):
        run("createtoken owner")


@pytest.mark.parametrize("by", ["identifier", "full token", "prefixed identifier"])
def test_revoketoken_stops_the_token_working(owner, by):
    issued = token_issue(user=owner, scopes=["read"], actor=None)
    assert token_authenticate(issued.secret) is not None
    argument = {
        "identifier": issued.token.identifier,
        "full token": issued.secret,
        "prefixed identifier": f"pvi_{issued.token.identifier}",
    }[by]

    out, _ = run(f"revoketoken {argument}")

    assert token_authenticate(issued.secret) is None
    assert issued.token.identifier in out
    assert issued.secret not in out
    assert Event.objects.filter(action="token:revoke", token=issued.token).count() == 1
    assert Event.objects.get(action="token:revoke").actor is None  # the operator's command


def test_revoketoken_twice_is_harmless(owner):
    issued = token_issue(user=owner, scopes=["read"], actor=None)
    run(f"revoketoken {issued.token.identifier}")

    out, _ = run(f"revoketoken {issued.token.identifier}")

    assert "already revoked" in out
    assert Event.objects.filter(action="token:revoke").count() == 1


def test_revoketoken_unknown_identifier(db):
    with pytest.raises(CommandError, match="No token with identifier 'abcdefghijkl'"):
        run("revoketoken abcdefghijkl")


def test_revoketoken_rejects_a_mistyped_token_without_echoing_it(owner):
    issued = token_issue(user=owner, scopes=["read"], actor=None)
    typo = issued.secret[:-1] + ("A" if issued.secret[-1] != "A" else "B")

    with pytest.raises(CommandError) as exc:
        run(f"revoketoken {typo}")

    assert typo not in str(exc.value)
    assert token_authenticate(issued.secret) is not None
