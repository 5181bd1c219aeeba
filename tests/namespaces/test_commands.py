"""``grantnamespace`` and ``revokenamespace``: what they print, and a clear error (non-zero
exit) for every refusal."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import Event
from namespaces.models import NamespaceGrant


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def test_grant_to_an_organization_by_any_spelling_of_its_name(scene):
    assert run("grantnamespace", "Foo.Bar", "--org", "ACME") == (
        "Granted namespace 'Foo.Bar' (foo-bar) to organization 'Acme': a root grant, restricted."
    )
    grant = NamespaceGrant.objects.get()
    assert (grant.organization, grant.created_by) == (scene.acme, None)
    assert Event.objects.get(action="namespace:grant").actor is None  # the system


def test_grant_a_child_to_a_user_open_or_hidden(scene):
    run("grantnamespace", "alice", "--user", "Alice")
    assert run("grantnamespace", "alice-pub", "--user", "alice", "--open") == (
        "Granted namespace 'alice-pub' (alice-pub) to user 'alice': a child of 'alice', open."
    )
    assert run("grantnamespace", "alice-priv", "--user", "alice", "--hidden") == (
        "Granted namespace 'alice-priv' (alice-priv) to user 'alice': a child of 'alice', "
        "restricted, hidden."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["foo", "--org", "nope"], "Unknown organization 'nope'."),
        (["foo", "--user", "nobody"], "Unknown user 'nobody'."),
        (["foo!", "--org", "acme"], "'foo!' is not a valid project name"),
        (["foo", "--user", "alice", "--open", "--hidden"], "A hidden namespace cannot be open."),
        (["foo-bar", "--user", "alice"], "lies inside 'foo', granted to organization 'Acme'"),
        (["fo", "--org", "acme"], None),  # fine: no overlap with foo
    ],
)
def test_grant_refusals_are_clear_errors(scene, args, message):
    run("grantnamespace", "foo", "--org", "acme")
    if message is None:
        run("grantnamespace", *args)
        return
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("grantnamespace", *args, stdout=io.StringIO())


def test_grant_needs_exactly_one_owner(scene):
    for args in (["foo"], ["foo", "--org", "acme", "--user", "alice"]):
        with pytest.raises(CommandError):
            call_command("grantnamespace", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not NamespaceGrant.objects.exists()


def test_revoke_a_grant_by_any_spelling(scene):
    run("grantnamespace", "foo", "--user", "alice")
    assert run("revokenamespace", "FOO") == "Revoked namespace 'foo' of user 'alice'."
    assert not NamespaceGrant.objects.exists()


def test_revoke_refuses_a_root_with_children_unless_told(scene):
    run("grantnamespace", "foo", "--org", "acme")
    run("grantnamespace", "foo-bar", "--org", "acme")
    with pytest.raises(CommandError, match="has child namespace 'foo-bar': revoke them first"):
        call_command("revokenamespace", "foo", stdout=io.StringIO())
    assert NamespaceGrant.objects.count() == 2
    assert run("revokenamespace", "foo", "--children") == (
        "Revoked namespace 'foo' of organization 'Acme' and its children 'foo-bar'."
    )
    assert not NamespaceGrant.objects.exists()


def test_revoke_of_a_namespace_never_granted_is_an_error(scene):
    with pytest.raises(CommandError, match=re.escape("No namespace 'foo' is granted.")):
        call_command("revokenamespace", "foo", stdout=io.StringIO())
