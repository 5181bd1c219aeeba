"""``/account/activity/``: what a signed-in person did (with a session or their tokens) and
the failed sign-ins as them, never what others did to them (those carry the other person's
address); for a session only, like the tokens page."""

import pytest
from django.urls import reverse

from audit.models import Event
from audit.services import event_record
from tests import factories
from tests.principals import PASSWORD

pytestmark = pytest.mark.django_db

ACTIVITY = reverse("audit:account-activity")
BROWSER = {"REMOTE_ADDR": "198.51.100.8", "HTTP_USER_AGENT": "Mozilla/5.0 (activity test)"}


def test_the_page_lists_what_i_did_and_failed_sign_ins_as_me_only(client):
    me = factories.UserFactory(username="mia")
    other = factories.UserFactory(username="olaf")
    project = factories.ProjectFactory(name="mia-tools")
    client.post(reverse("accounts:login"), {"login": "mia", "password": "wrong one"}, **BROWSER)
    client.post(reverse("accounts:login"), {"login": "mia", "password": PASSWORD}, **BROWSER)
    client.post(reverse("accounts:tokens"), {"name": "ci", "scopes": ["read"], "expiry": "30"})
    event_record("project:visibility", actor=me, project=project, visibility="public")
    # Others' actions, even about me, are not mine to see (their address is in them).
    event_record("project:role-set", actor=other, project=project, target="user:mia")
    event_record("user:login-failed", actor=None, target="user:olaf")

    page = client.get(ACTIVITY)

    assert page.status_code == 200
    actions = [event.action for event, _ in page.context["rows"]]
    assert "project:role-set" not in actions
    assert actions.count("user:login-failed") == 1
    assert {"user:login", "token:issue", "project:visibility"} <= set(actions)
    assert b"198.51.100.8" in page.content
    assert b'name="q" value=""' in page.content  # the header's search box stays empty
    assert "no-store" in page["Cache-Control"]
    export = b"".join(client.get(ACTIVITY, {"format": "jsonl"}).streaming_content)
    assert export.count(b"\n") == len(actions)


def test_only_a_signed_in_session_sees_it(client):
    assert client.get(ACTIVITY)["Location"].startswith(reverse("accounts:login"))
    user = factories.UserFactory(username="mia")
    from tokens.services import token_issue

    issued = token_issue(user=user, scopes=["read"], actor=user)
    as_token = client.get(ACTIVITY, HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert as_token.status_code == 403
    assert client.get(ACTIVITY, HTTP_AUTHORIZATION="Bearer pvi_nonsense").status_code == 401
    assert Event.objects.filter(action="token:auth-failed").count() <= 1
