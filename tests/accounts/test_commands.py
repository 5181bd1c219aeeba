"""createuser and bootstrap."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from tests import factories

NEW_USER = ("createuser", "alice", "--email", "alice@example.org")


def run(*args, stdin=None):
    out, err = io.StringIO(), io.StringIO()
    kwargs = {"stdin": stdin} if stdin is not None else {}
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_createuser_without_password_gets_unusable_password(db):
    out, _ = run("createuser", "alice", "--email", "alice@example.org")

    user = User.objects.get(username="alice")
    assert user.email == "alice@example.org"
    assert not user.has_usable_password()
    assert not user.is_staff and not user.is_superuser
    assert "alice" in out


def test_createuser_reads_password_from_stdin(db):
    run(*NEW_USER, "--password-stdin", stdin=io.StringIO("a long enough passphrase\n"))

    assert User.objects.get(username="alice").check_password("a long enough passphrase")


def test_createuser_rejects_weak_password(db):
    with pytest.raises(CommandError, match="Password rejected"):
        run(*NEW_USER, "--password-stdin", stdin=io.StringIO("abc\n"))
    assert not User.objects.filter(username="alice").exists()


def test_createuser_rejects_empty_stdin(db):
    with pytest.raises(CommandError, match="No password"):
        run(*NEW_USER, "--password-stdin", stdin=io.StringIO(""))


@pytest.mark.parametrize(
    ("flags", "staff", "superuser"),
    [(["--staff"], True, False), (["--superuser"], True, True), ([], False, False)],
)
def test_createuser_staff_and_superuser_flags(db, flags, staff, superuser):
    run("createuser", "alice", "--email", "alice@example.org", *flags)

    user = User.objects.get(username="alice")
    assert (user.is_staff, user.is_superuser) == (staff, superuser)


@pytest.mark.parametrize("username", ["owner", "Owner"])
def test_createuser_fails_when_user_exists(owner, username):
    with pytest.raises(CommandError, match="User 'owner' already exists") as exc:
        run("createuser", username, "--email", "other@example.org")
    assert exc.value.returncode != 0
    assert User.objects.get(username="owner").email == "owner@example.org"


def test_createuser_rejects_invalid_email(db):
    with pytest.raises(CommandError, match="not a valid email"):
        run("createuser", "alice", "--email", "not-an-email")


def test_bootstrap_creates_one_admin_once_and_prints_its_password(db, monkeypatch):
    monkeypatch.delenv("PRIVINDEX_ADMIN_PASSWORD", raising=False)

    first, _ = run("bootstrap")
    second, _ = run("bootstrap")

    match = re.search(r"privindex: created administrator 'admin' with password (\S+)", first)
    assert match is not None
    admin = User.objects.get()
    assert admin.username == "admin" and admin.email == "admin@localhost"
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(match.group(1))
    assert second == ""


def test_bootstrap_takes_password_from_environment(db, monkeypatch):
    monkeypatch.setenv("PRIVINDEX_ADMIN_PASSWORD", "from the environment")

    out, _ = run("bootstrap")

    assert User.objects.get(username="admin").check_password("from the environment")
    assert "from the environment" not in out
    assert "created administrator 'admin'" in out


def test_bootstrap_does_nothing_when_any_user_exists(db, monkeypatch):
    monkeypatch.delenv("PRIVINDEX_ADMIN_PASSWORD", raising=False)
    factories.UserFactory(username="someone")

    out, err = run("bootstrap")

    assert (out, err) == ("", "")
    assert list(User.objects.values_list("username", flat=True)) == ["someone"]
