"""The credential table (``access.credentials.ACCEPTED``), row by row: each kind of credential
gets the table's answer from ``credential_check`` and ``precheck``, and from the real URL of
that surface (DESIGN 4).

The callers are chosen so that only the kind of credential can refuse: a superuser, signed in
with a session or through their all-scopes token (tests.principals), on public-pkg of the
``surface_index`` scene. A new (surface, action) in the table needs a row in ``ROWS``.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from access import Action, Credential, Denial, Surface, credential_check, precheck
from access.credentials import ACCEPTED
from tests import dists
from tests.simple_api.helpers import file_url

WWW_AUTH = 'Basic realm="privindex"'
PROJECT = "public-pkg"
CALLERS = {
    Credential.ANONYMOUS: "anon",
    Credential.SESSION: "superuser",
    Credential.TOKEN: "superuser_token",
}
# What a refusal looks like: 401 with a challenge, 403, or a redirect to the login page.
ALLOW, U, F, LOGIN = "allow", 401, 403, "login"


def _upload(name):
    def ask(client, index, headers):
        filename, content = dists.make_wheel(name, "2.0")
        fields = dists.upload_fields(filename, content)
        fields["content"] = SimpleUploadedFile(filename, content, "application/octet-stream")
        with TestCase.captureOnCommitCallbacks(execute=True):
            return client.post("/legacy/", fields, **headers)

    return ask


def _get(url):
    return lambda client, index, headers: client.get(url(index), **headers)


def _post(url, data):
    return lambda client, index, headers: client.post(url, data, **headers)


def _patch(url, data):
    def ask(client, index, headers):
        body = json.dumps(data)
        return client.patch(url, body, content_type="application/json", **headers)

    return ask


def _post_json(url, data):
    def ask(client, index, headers):
        body = json.dumps(data)
        return client.post(url, body, content_type="application/json", **headers)

    return ask


def _on_org(ask):
    """``ask``, once the scene's organization (acme) exists: it is made on first use."""

    def wrapper(client, index, headers):
        assert index["cast"].org.name == "acme"
        return ask(client, index, headers)

    return wrapper


def _revoke_organization_token(client, index, headers):
    """DELETE one of the scene organization's (acme's) own tokens (issue 9)."""
    identifier = index["cast"].issued("org_read_token").token.identifier
    return client.delete(f"{API_ORG}tokens/{identifier}/", **headers)


def _clear_quarantine(client, index, headers):
    project = index["public"].release.project
    project.status = "quarantined"
    project.save(update_fields=["status"])
    return client.post(f"/project/{PROJECT}/status/", {"status": "active"}, **headers)


@dataclass(frozen=True)
class Row:
    ask: Callable | None  # (client, surface_index, headers) -> response; None: no URL yet
    ok: int  # the status of an allowed request
    answers: dict  # Credential -> ALLOW, U, F or LOGIN


def _row(ask, ok, anonymous, session, token):
    answers = {Credential.ANONYMOUS: anonymous, Credential.SESSION: session}
    return Row(ask, ok, {**answers, Credential.TOKEN: token})


API_PROJECT = f"/api/v1/projects/{PROJECT}/"
API_ORG = "/api/v1/orgs/acme/"  # the scene's organization (tests.principals.Cast.org)
WEB_ORG = "/org/acme/"
# A row whose action no URL offers yet drives ``credential_check`` and ``precheck`` only; the
# real-URL test names it as skipped.
NO_URL = None
ROWS = {
    (Surface.SIMPLE, Action.READ): _row(
        _get(lambda i: f"/simple/{PROJECT}/"), 200, ALLOW, ALLOW, ALLOW
    ),
    # S4.13: the auth-required base URL challenges every anonymous request.
    (Surface.AUTH_SIMPLE, Action.READ): _row(
        _get(lambda i: f"/auth/simple/{PROJECT}/"), 200, U, ALLOW, ALLOW
    ),
    (Surface.FILES, Action.READ): _row(
        _get(lambda i: file_url(i["public"])), 200, ALLOW, ALLOW, ALLOW
    ),
    (Surface.JSON_API, Action.READ): _row(
        _get(lambda i: f"/pypi/{PROJECT}/json"), 200, ALLOW, ALLOW, ALLOW
    ),
    # S2.7: twine sends a token; a browser session must not upload (the endpoint is CSRF-exempt).
    (Surface.UPLOAD, Action.UPLOAD): _row(_upload(PROJECT), 200, U, U, ALLOW),
    (Surface.UPLOAD, Action.CREATE): _row(_upload("ghost-pkg"), 200, U, U, ALLOW),
    (Surface.WEB, Action.READ): _row(
        _get(lambda i: f"/project/{PROJECT}/"), 200, ALLOW, ALLOW, ALLOW
    ),
    # The forms are for people (session and CSRF); a token uses the API. Someone not signed in
    # is sent to the login page, not challenged (decision 0013).
    (Surface.WEB, Action.YANK): _row(
        _post(f"/project/{PROJECT}/settings/releases/1.0/yank/", {"confirm": "yes"}),
        302,
        LOGIN,
        ALLOW,
        F,
    ),
    (Surface.WEB, Action.MANAGE): _row(
        _post(
            f"/project/{PROJECT}/settings/visibility/",
            {"to": "private", "confirm_name": PROJECT},
        ),
        302,
        LOGIN,
        ALLOW,
        F,
    ),
    (Surface.WEB, Action.MODERATE): _row(_clear_quarantine, 302, LOGIN, ALLOW, F),
    # The organization pages are for signed-in people (issue 9): a token uses the API.
    (Surface.WEB, Action.ORGANIZATION_READ): _row(
        _on_org(_get(lambda i: WEB_ORG)), 200, LOGIN, ALLOW, F
    ),
    (Surface.WEB, Action.ORGANIZATION_MANAGE): _row(
        _on_org(_post(f"{WEB_ORG}settings/", {"default_visibility": "public"})),
        302,
        LOGIN,
        ALLOW,
        F,
    ),
    (Surface.WEB, Action.TEAMS_MANAGE): _row(
        _on_org(_post(f"{WEB_ORG}teams/", {"name": "builders"})), 302, LOGIN, ALLOW, F
    ),
    # The page shows the new secret once: 200, no redirect.
    (Surface.WEB, Action.ORGANIZATION_TOKENS_ISSUE): _row(
        _on_org(_post(f"{WEB_ORG}tokens/", {"name": "ci", "scopes": ["read"]})),
        200,
        LOGIN,
        ALLOW,
        F,
    ),
    # Anyone signed in creates an organization (PRIVINDEX_ORGANIZATION_CREATORS=anyone).
    (Surface.WEB, Action.ORGANIZATION_CREATE): _row(
        _post("/org/", {"name": "newco", "default_visibility": "private"}), 302, LOGIN, ALLOW, F
    ),
    (Surface.WEB_TOKENS, Action.TOKENS_MANAGE): _row(
        _get(lambda i: "/account/tokens/"), 200, LOGIN, ALLOW, LOGIN
    ),
    (Surface.API, Action.READ): _row(_get(lambda i: API_PROJECT), 200, ALLOW, ALLOW, ALLOW),
    # A project without a file (issue 11): the rights of a first upload.
    (Surface.API, Action.CREATE): _row(
        _post_json("/api/v1/projects/", {"name": "brand-new-pkg"}), 201, U, ALLOW, ALLOW
    ),
    # Every list is for signed-in callers (issue 11): anonymous ones are challenged.
    (Surface.API_LIST, Action.READ): _row(
        _get(lambda i: f"{API_PROJECT}releases/"), 200, U, ALLOW, ALLOW
    ),
    (Surface.API, Action.YANK): _row(
        _post_json(f"{API_PROJECT}releases/1.0/yank/", {}), 200, U, ALLOW, ALLOW
    ),
    (Surface.API, Action.MANAGE): _row(
        _patch(API_PROJECT, {"visibility": "private"}), 200, U, ALLOW, ALLOW
    ),
    (Surface.API, Action.MODERATE): _row(
        _patch(API_PROJECT, {"status": "quarantined", "status_reason": "malware"}),
        200,
        U,
        ALLOW,
        ALLOW,
    ),
    (Surface.API, Action.ORGANIZATION_READ): _row(
        _get(lambda i: "/api/v1/orgs/"), 200, U, ALLOW, ALLOW
    ),
    # Revoking an organization's token manages the organization (its owners; a superuser).
    (Surface.API, Action.ORGANIZATION_MANAGE): _row(
        _revoke_organization_token, 200, U, ALLOW, ALLOW
    ),
    (Surface.API, Action.TEAMS_MANAGE): _row(
        _on_org(_post_json(f"{API_ORG}teams/", {"name": "builders"})), 201, U, ALLOW, ALLOW
    ),
    # Anyone signed in creates an organization, a personal token too (issue 11).
    (Surface.API, Action.ORGANIZATION_CREATE): _row(
        _post_json("/api/v1/orgs/", {"name": "newco"}), 201, U, ALLOW, ALLOW
    ),
    # No token issues tokens, an organization's included: a leaked one must not mint more.
    (Surface.API, Action.ORGANIZATION_TOKENS_ISSUE): _row(
        _on_org(_post_json(f"{API_ORG}tokens/", {"name": "ci", "scopes": ["read"]})),
        201,
        U,
        ALLOW,
        F,
    ),
    # A leaked token must not mint more tokens or outlive its revocation.
    (Surface.API, Action.TOKENS_MANAGE): _row(_get(lambda i: "/api/v1/tokens/"), 200, U, ALLOW, F),
}
CASES = [(surface, action, kind) for (surface, action) in ROWS for kind in Credential]
URL_CASES = [
    pytest.param(
        surface,
        action,
        kind,
        marks=[pytest.mark.skip(reason="no URL offers it yet")]
        if ROWS[surface, action].ask is None
        else [],
    )
    for (surface, action, kind) in CASES
]


def _id(value):
    return str(value)


def test_every_row_of_the_credential_table_is_driven():
    accepted = {(surface, action) for surface, actions in ACCEPTED.items() for action in actions}
    assert set(ROWS) == accepted


@pytest.mark.parametrize(("surface", "action", "kind"), CASES, ids=_id)
def test_credential_check_and_precheck_answer_the_table(surface_index, surface, action, kind):
    principal = surface_index["cast"].principal(CALLERS[kind])
    want = ROWS[(surface, action)].answers[kind]
    for decision in (
        credential_check(principal, action, surface=surface),
        precheck(principal, action, surface=surface),  # every scope: only the kind refuses
    ):
        if want == ALLOW:
            assert decision, decision.reason
        else:
            assert decision.denial == (Denial.FORBIDDEN if want == F else Denial.UNAUTHENTICATED)


@pytest.mark.parametrize(("surface", "action", "kind"), URL_CASES, ids=_id)
def test_the_real_url_answers_the_table(client, surface_index, surface, action, kind):
    row = ROWS[(surface, action)]
    want = row.answers[kind]
    headers = surface_index["cast"].sign_in(client, CALLERS[kind])

    assert row.ask is not None
    response = row.ask(client, surface_index, headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()

    if want == ALLOW:
        assert response.status_code == row.ok, body[:300]
        assert not response.get("Location", "").startswith("/account/login/")  # not refused
    elif want == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/?next=")
        assert not response.has_header("WWW-Authenticate")
    else:
        assert response.status_code == want, body[:300]
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == WWW_AUTH  # S4.8
