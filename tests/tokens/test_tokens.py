"""Token format, hashing, verification, expiry, revocation and last use (DESIGN 5)."""

import base64
import datetime as dt
import logging

import pytest
from django.utils import timezone

from simple_api.middleware import INVALID, PASSWORDS, credentials_from_header
from tests import factories
from tokens import format as token_format
from tokens.models import Token
from tokens.services import TokenError, token_authenticate, token_issue, token_revoke


def test_format_has_prefix_identifier_secret_and_checksum():
    raw, parsed = token_format.generate()
    assert raw.startswith("pvi_") and len(raw) == token_format.TOKEN_LENGTH
    assert token_format.parse(raw) == parsed
    # at least 160 bits of secret
    assert token_format.SECRET_LENGTH * 5.95 >= 160


@pytest.mark.parametrize("position", [5, 20, -1])
def test_a_typo_fails_the_checksum_without_a_database(position):
    raw, _ = token_format.generate()
    chars = list(raw)
    chars[position] = "A" if chars[position] != "A" else "B"
    assert token_format.parse("".join(chars)) is None


@pytest.mark.parametrize("raw", ["", "pvi_", "ghp_" + "a" * 52, "pvi_" + "é" * 53, "x" * 4000])
def test_malformed_tokens_do_not_parse(raw):
    assert token_format.parse(raw) is None


def test_only_the_hash_is_stored(owner):
    issued = token_issue(user=owner, scopes=["read"], actor=None)
    stored = Token.objects.get(pk=issued.token.pk)
    secret = token_format.parse(issued.secret).secret
    assert secret not in str(stored.__dict__)
    assert stored.secret_hash == token_format.hash_secret(secret)


def test_authenticate_round_trip(owner):
    issued = token_issue(user=owner, scopes=["read", "upload"], name="ci", actor=None)
    assert token_authenticate(issued.secret) == issued.token


def test_wrong_secret_with_right_identifier_fails(owner):
    issued = token_issue(user=owner, scopes=["read"], actor=None)
    _other_raw, other = token_format.generate()
    forged_body = f"pvi_{issued.token.identifier}_{other.secret}"
    forged = forged_body + token_format._checksum(forged_body)
    assert token_format.parse(forged) is not None
    assert token_authenticate(forged) is None


def test_revoked_token_stops_working(owner):
    issued = token_issue(user=owner, scopes=["read"], actor=None)
    token_revoke(token=issued.token, actor=None)
    assert token_authenticate(issued.secret) is None


def test_expired_token_stops_working(expired_token):
    assert token_authenticate(expired_token) is None


def test_token_of_inactive_user_stops_working(owner):
    issued = token_issue(user=owner, scopes=["read"], actor=None)
    owner.is_active = False
    owner.save()
    assert token_authenticate(issued.secret) is None


@pytest.mark.parametrize("scopes", [[], ["admin"], ["read", "write"]])
def test_bad_scopes_are_refused(owner, scopes):
    with pytest.raises(TokenError):
        token_issue(user=owner, scopes=scopes, actor=None)


def test_last_used_is_written_at_most_once_a_minute(owner, django_assert_num_queries):
    issued = token_issue(user=owner, scopes=["read"], actor=None)
    with django_assert_num_queries(2):  # lookup + first last_used write
        token_authenticate(issued.secret)
    with django_assert_num_queries(1):  # lookup only
        token_authenticate(issued.secret)
    Token.objects.filter(pk=issued.token.pk).update(
        last_used=timezone.now() - dt.timedelta(seconds=61)
    )
    with django_assert_num_queries(2):
        token_authenticate(issued.secret)


def test_issue_and_revoke_are_audited_without_the_secret(owner):
    from audit.models import Event

    issued = token_issue(user=owner, scopes=["read"], actor=None)
    token_revoke(token=issued.token, actor=None)
    events = list(Event.objects.filter(token=issued.token).order_by("created"))
    assert [e.action for e in events] == ["token:issue", "token:revoke"]
    assert all(issued.secret not in str(e.data) for e in events)


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (_basic("__token__", "pvi_x"), ("pvi_x", None)),
        (_basic("pvi_x", ""), ("pvi_x", None)),  # https://<token>@host/simple/ (S4.1)
        ("Bearer pvi_x", ("pvi_x", None)),
        ("token pvi_x", ("pvi_x", None)),
        (_basic("alice", "secret"), (None, PASSWORDS)),
        (_basic("__token__", ""), (None, INVALID)),
        ("Basic !!!notbase64", (None, INVALID)),
        ("Basic " + base64.b64encode(b"nocolon").decode(), (None, INVALID)),
        ("Digest abc", (None, INVALID)),
        ("Bearer ", (None, INVALID)),
    ],
)
def test_credentials_from_header(header, expected):
    assert credentials_from_header(header) == expected


def test_tokens_never_reach_the_logs(client, owner, caplog):
    """No token and no Authorization header in any log record (DESIGN 5)."""
    issued = token_issue(user=owner, scopes=["read"], actor=None)
    caplog.set_level(logging.DEBUG)
    client.get("/simple/", HTTP_AUTHORIZATION=_basic("__token__", issued.secret))
    client.get("/simple/nope/", HTTP_AUTHORIZATION=_basic("__token__", issued.secret + "x"))
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert issued.secret not in text
    assert token_format.parse(issued.secret).secret not in text


def test_user_factory_is_usable(db):
    assert factories.UserFactory().check_password("correct horse battery")


def test_database_loss_while_authenticating_is_a_clean_503(client, owner, monkeypatch, caplog):
    from django.db import OperationalError

    issued = token_issue(user=owner, scopes=["read"], actor=None)

    def down(raw, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("simple_api.middleware.token_authenticate", down)
    response = client.get("/simple/", HTTP_AUTHORIZATION=_basic("__token__", issued.secret))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Traceback" not in caplog.text
    assert all(r.exc_info is None for r in caplog.records)  # one line each, no traceback
