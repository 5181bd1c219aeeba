"""The one status table (DESIGN 4): every caller x every column through every surface.

Columns: public-pkg (public), private-pkg (private; its owner's principals may read it),
hidden-pkg (private; only a superuser may read it), org-pkg (private, of the scene's
organization acme: its members and its tokens may read it; issue 9) and ghost-pkg (no such
name). Rows: the callers of the catalogue (tests.principals), with the transports clients use
(S4.1).

Every 401 carries ``WWW-Authenticate`` (S4.8); a 404 is byte-identical (status, reason,
body, headers) to the 404 for a name that does not exist (S4.12). A new surface is one entry in
``SURFACES`` (which ``access.Surface`` it is, and how to ask it for a column), and an entry in
``TABLES`` if it does not answer as the read surfaces do.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

import access
from access.credentials import ACCEPTED
from tests import dists, factories
from tests.principals import TOKENS as TOKENS_OF_CATALOGUE
from tests.simple_api.helpers import file_url

WWW_AUTH = 'Basic realm="privindex"'
COLUMNS = ("public", "private", "hidden", "org", "unknown")
NAMES = {
    "public": "public-pkg",
    "private": "private-pkg",
    "hidden": "hidden-pkg",
    "org": "org-pkg",
}
VISIBILITY = {"public": "public"}  # of each column's project (the others: private)
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


@pytest.fixture
def index(surface_index):
    """``surface_index`` and org-pkg: a private project of the scene's organization (acme),
    with a wheel and its METADATA, on which no user has a personal role."""
    from tests.simple_api.helpers import file_with_bytes

    organization = surface_index["cast"].org
    project = factories.ProjectFactory(
        name="org-pkg", visibility="private", organization=organization
    )
    release = factories.ReleaseFactory(project=project, version="1.0")
    file = file_with_bytes(
        release,
        b"org wheel bytes",
        metadata_sha256="ef" * 32,
        filename="org_pkg-1.0-py3-none-any.whl",
    )
    factories.CoreMetadataFactory(file=file)
    return {**surface_index, "org": file}


@dataclass(frozen=True)
class Target:
    """One column: a project name, one of its files and the project's visibility."""

    name: str
    file: object
    visibility: str = "private"


def _upload(client, target, headers):
    """Upload version 2.0 of ``target`` as twine does (S2.7), running on-commit work."""
    filename, content = dists.make_wheel(target.name, "2.0")
    fields = dists.upload_fields(filename, content)
    fields["content"] = SimpleUploadedFile(filename, content, "application/octet-stream")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/legacy/", fields, **headers)


def _manage(client, target, headers):
    """The REST API's manage PATCH, setting the visibility the project already has: allowed
    or refused by the policy alone, and nothing changes for the next column."""
    body = json.dumps({"visibility": target.visibility})
    url = f"/api/v1/projects/{target.name}/"
    return client.patch(url, body, content_type="application/json", **headers)


@dataclass(frozen=True)
class Surface:
    kind: access.Surface
    ask: Callable  # (client, Target, headers) -> response


SURFACES = {
    "simple-html": Surface(
        access.Surface.SIMPLE,
        lambda c, t, h: c.get(f"/simple/{t.name}/", HTTP_ACCEPT="text/html", **h),
    ),
    "simple-json": Surface(
        access.Surface.SIMPLE,
        lambda c, t, h: c.get(f"/simple/{t.name}/", HTTP_ACCEPT=SIMPLE_JSON, **h),
    ),
    "simple-head": Surface(
        access.Surface.SIMPLE, lambda c, t, h: c.head(f"/simple/{t.name}/", **h)
    ),  # S5.12
    "auth-simple": Surface(
        access.Surface.AUTH_SIMPLE, lambda c, t, h: c.get(f"/auth/simple/{t.name}/", **h)
    ),
    "file": Surface(access.Surface.FILES, lambda c, t, h: c.get(file_url(t.file), **h)),
    "file-head": Surface(access.Surface.FILES, lambda c, t, h: c.head(file_url(t.file), **h)),
    "metadata": Surface(
        access.Surface.FILES, lambda c, t, h: c.get(file_url(t.file) + ".metadata", **h)
    ),  # S1.21
    "json-api": Surface(
        access.Surface.JSON_API, lambda c, t, h: c.get(f"/pypi/{t.name}/json", **h)
    ),
    "rest": Surface(access.Surface.API, lambda c, t, h: c.get(f"/api/v1/projects/{t.name}/", **h)),
    # A list of the REST API (issue 11): anonymous callers are challenged, as on /auth/simple/.
    "rest-releases": Surface(
        access.Surface.API_LIST, lambda c, t, h: c.get(f"/api/v1/projects/{t.name}/releases/", **h)
    ),
    # Managing, through the REST API: no organization token ever may (issue 9).
    "rest-manage": Surface(access.Surface.API, _manage),
    "web": Surface(access.Surface.WEB, lambda c, t, h: c.get(f"/project/{t.name}/", **h)),
    # A release page (issue 10): answers as the project page.
    "web-release": Surface(
        access.Surface.WEB, lambda c, t, h: c.get(f"/project/{t.name}/1.0/", **h)
    ),
    # A project's settings (issue 10): for those who manage it (or yank), signed in.
    "web-settings": Surface(
        access.Surface.WEB, lambda c, t, h: c.get(f"/project/{t.name}/settings/", **h)
    ),
    # Deleting a file, a release or the project (issue 10): their confirmation pages, for
    # those who manage it, signed in (the POSTs: tests/projects/test_web_deletion.py).
    "web-delete-file": Surface(
        access.Surface.WEB,
        lambda c, t, h: c.get(
            f"/project/{t.name}/settings/releases/1.0/files/{t.file.filename}/delete/", **h
        ),
    ),
    "web-delete-release": Surface(
        access.Surface.WEB,
        lambda c, t, h: c.get(f"/project/{t.name}/settings/releases/1.0/delete/", **h),
    ),
    "web-delete-project": Surface(
        access.Surface.WEB, lambda c, t, h: c.get(f"/project/{t.name}/settings/delete/", **h)
    ),
    # The dashboard (issue 10): names no project; the same answer in every column.
    "dashboard": Surface(access.Surface.WEB, lambda c, t, h: c.get("/dashboard/", **h)),
    # One's own activity (issue 10): names no project either; the dashboard's answers.
    "account-activity": Surface(
        access.Surface.WEB, lambda c, t, h: c.get("/account/activity/", **h)
    ),
    # A project's history (issue 9): for those who manage it, signed in.
    "web-history": Surface(
        access.Surface.WEB, lambda c, t, h: c.get(f"/project/{t.name}/history/", **h)
    ),
    "upload": Surface(access.Surface.UPLOAD, _upload),
    # Files of upstream projects (issue 8): never for a name that exists here.
    "upstream-file": Surface(
        access.Surface.FILES,
        lambda c, t, h: c.get(f"/files/upstream/{t.name}/{t.file.filename}", **h),
    ),
}

# Callers: a catalogue name, or "name/transport" for a token sent another way (S4.1).
BAD = ("malformed", "unknown_token", "password", "garbage", "expired_token", "revoked_token")
SESSIONS = ("owner", "reader", "outsider", "staff", "superuser", "org_member")
# Organization tokens (issue 9): acme's own, issued by its owner; and personal tokens kept to
# an organization: team_maintainer's to acme (a member there, with no role that counts on the
# columns outside it), foreign_org_owner's to globex (no project here).
ORG_TOKENS = ("org_read_token", "org_upload_token")

# caller -> (public, private, hidden, org, unknown) on every read surface (S4.9-S4.13, S5.11).
OK, NF = 200, 404
READ_TABLE = {
    "anon": (OK, NF, NF, NF, NF),
    **{bad: (401,) * 5 for bad in BAD},  # S4.10: never treated as anonymous
    "upload_token": (403,) * 5,  # S4.11: no read scope; depends on the token only
    "manage_token": (403,) * 5,
    "read_token": (OK, OK, NF, NF, NF),
    "read_token/bearer": (OK, OK, NF, NF, NF),
    "read_token/username-only": (OK, OK, NF, NF, NF),
    "all_scopes_token": (OK, OK, NF, NF, NF),
    "reader_token_with_upload": (OK, OK, NF, NF, NF),
    "outsider_token": (OK, NF, NF, NF, NF),
    "token_for_other_project": (OK, NF, NF, NF, NF),
    # An organization token reads its organization's private projects and public ones; any
    # other private project is the 404 of an unknown name.
    "org_read_token": (OK, NF, NF, OK, NF),
    "org_read_token/bearer": (OK, NF, NF, OK, NF),
    "org_upload_token": (OK, NF, NF, OK, NF),
    "token_for_org": (OK, NF, NF, OK, NF),
    "token_for_other_org": (OK, NF, NF, NF, NF),
    "superuser_token": (OK, OK, OK, OK, NF),
    "owner": (OK, OK, NF, NF, NF),
    "reader": (OK, OK, NF, NF, NF),
    "outsider": (OK, NF, NF, NF, NF),
    "staff": (OK, NF, NF, NF, NF),  # being staff reads nothing private
    "superuser": (OK, OK, OK, OK, NF),
    "org_member": (OK, NF, NF, OK, NF),
}
# /auth/simple/ challenges every anonymous request, and otherwise answers as /simple/ (S4.13).
AUTH_SIMPLE_TABLE = {**READ_TABLE, "anon": (401,) * 5}

# The upload endpoint (DESIGN 4): 401 for no, bad or session credentials; 403 with the reason
# in the reason phrase and the body (S2.12) otherwise; a new name is created.
NO_TOKEN = (401, "Upload with the username __token__")
NO_SCOPE = (403, "does not have the 'upload' scope")
NOT_YOURS = (403, "isn't allowed to upload to project")
TAKEN = (409, "is not available")
RESTRICTED = (403, "A token restricted to projects cannot create a new project.")
NOT_IN_ACME = (403, "You may not create projects in the organization 'acme'.")
UPLOAD_TABLE = {
    "anon": (NO_TOKEN,) * 5,
    **{bad: ((401, ""),) * 5 for bad in BAD},
    "read_token": (NO_SCOPE,) * 5,
    "read_token/bearer": (NO_SCOPE,) * 5,
    "read_token/username-only": (NO_SCOPE,) * 5,
    "manage_token": (NO_SCOPE,) * 5,
    "upload_token": ((OK, ""), (OK, ""), TAKEN, TAKEN, (OK, "")),
    "all_scopes_token": ((OK, ""), (OK, ""), TAKEN, TAKEN, (OK, "")),
    "reader_token_with_upload": (NOT_YOURS, NOT_YOURS, TAKEN, TAKEN, (OK, "")),
    "outsider_token": (NOT_YOURS, TAKEN, TAKEN, TAKEN, (OK, "")),
    # A hidden name is answered as a free one: this token may not create any project.
    "token_for_other_project": (NOT_YOURS, *((RESTRICTED,) * 4)),
    "org_read_token": (NO_SCOPE,) * 5,
    "org_read_token/bearer": (NO_SCOPE,) * 5,
    # Uploads to its organization's projects and creates new ones there (issue 9); a project
    # outside it it may read is not its to upload to.
    "org_upload_token": (NOT_YOURS, TAKEN, TAKEN, (OK, ""), (OK, "")),
    # A member of acme, not a manager: it reads org-pkg, may not upload to it, and creates
    # nothing (so a hidden name is answered as a free one: with that refusal).
    "token_for_org": (NOT_YOURS, NOT_IN_ACME, NOT_IN_ACME, NOT_YOURS, NOT_IN_ACME),
    # An owner of globex: new names go there.
    "token_for_other_org": (NOT_YOURS, TAKEN, TAKEN, TAKEN, (OK, "")),
    "superuser_token": ((OK, ""),) * 5,
    **{session: (NO_TOKEN,) * 5 for session in SESSIONS},  # twine sends tokens, not cookies
}
# The REST API's manage PATCH: 401 for no or bad credentials, 403 without the manage scope
# (every organization token: it never manages) or without the right, 404 for what the caller
# may not read (S4.12).
F = 403
MANAGE_TABLE = {
    "anon": (401,) * 5,
    **{bad: (401,) * 5 for bad in BAD},
    **{
        no_manage: (F,) * 5
        for no_manage in (
            "read_token",
            "read_token/bearer",
            "read_token/username-only",
            "upload_token",
            "reader_token_with_upload",
            "token_for_other_project",
            *ORG_TOKENS,
            "org_read_token/bearer",
            "token_for_org",
            "token_for_other_org",
        )
    },
    "manage_token": (OK, OK, NF, NF, NF),
    "all_scopes_token": (OK, OK, NF, NF, NF),
    "outsider_token": (F, NF, NF, NF, NF),
    "superuser_token": (OK, OK, OK, OK, NF),
    "owner": (OK, OK, NF, NF, NF),
    "reader": (F, F, NF, NF, NF),
    "outsider": (F, NF, NF, NF, NF),
    "staff": (F, NF, NF, NF, NF),
    "superuser": (OK, OK, OK, OK, NF),
    "org_member": (F, NF, NF, F, NF),  # a member reads org-pkg; only owners and managers manage
}
# The history page: a person who manages the project (its owner, the organization's owners and
# managers, superusers). Not signed in: the login page (302), before any name is looked at; a
# token: 403 (the web pages are for people); who may read but not manage: 403; who may not
# read: the 404 of an unknown name.
LOGIN = 302
HISTORY_TABLE = {
    "anon": (LOGIN,) * 5,
    **{bad: (401,) * 5 for bad in BAD},
    **{
        token: (F,) * 5
        for token in READ_TABLE
        if token not in BAD and token.split("/")[0] in TOKENS_OF_CATALOGUE
    },
    "owner": (OK, OK, NF, NF, NF),
    "reader": (F, F, NF, NF, NF),
    "outsider": (F, NF, NF, NF, NF),
    "staff": (F, NF, NF, NF, NF),
    "superuser": (OK, OK, OK, OK, NF),
    "org_member": (F, NF, NF, F, NF),
}
# The dashboard: whoever is signed in (a session) sees their own; not signed in: the login page;
# a token: 403 (the web pages are for people).
DASHBOARD_TABLE = {
    caller: (LOGIN if caller == "anon" else 401 if caller in BAD else F,) * 5
    for caller in READ_TABLE
    if caller not in SESSIONS
}
DASHBOARD_TABLE.update({session: (OK,) * 5 for session in SESSIONS})
# /files/upstream/... serves nothing of a local name, whoever asks; with no upstream (the
# default) nothing at all. Bad credentials and missing scopes answer as everywhere.
UPSTREAM_FILE_TABLE = {
    caller: tuple(NF if cell == OK else cell for cell in row) for caller, row in READ_TABLE.items()
}
TABLES: dict[str, dict[str, tuple]] = {
    "auth-simple": AUTH_SIMPLE_TABLE,
    "rest-releases": AUTH_SIMPLE_TABLE,
    "upload": UPLOAD_TABLE,
    "rest-manage": MANAGE_TABLE,
    "web-history": HISTORY_TABLE,
    # None of the callers here is a maintainer without manage: the same as the history.
    "web-settings": HISTORY_TABLE,
    # Deleting needs projects:manage, as the history does.
    "web-delete-file": HISTORY_TABLE,
    "web-delete-release": HISTORY_TABLE,
    "web-delete-project": HISTORY_TABLE,
    "dashboard": DASHBOARD_TABLE,
    "account-activity": DASHBOARD_TABLE,
    "upstream-file": UPSTREAM_FILE_TABLE,
}
CALLERS = list(READ_TABLE)


def expected(surface: str, caller: str) -> list[tuple[int, str]]:
    row = TABLES.get(surface, READ_TABLE)[caller]
    return [cell if isinstance(cell, tuple) else (cell, "") for cell in row]


def targets(index) -> dict[str, Target]:
    return {
        column: Target(
            NAMES.get(column, "ghost-pkg"), index[column], VISIBILITY.get(column, "private")
        )
        for column in COLUMNS
    }


def fingerprint(response):
    """Everything a caller sees of an answer but its Date."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = {k: v for k, v in response.headers.items() if k.lower() != "date"}
    return response.status_code, response.reason_phrase, body, headers


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("caller", CALLERS)
def test_status_table(client, index, caller, surface):
    ask = SURFACES[surface].ask
    headers = index["cast"].sign_in(client, caller)
    columns = targets(index)
    answers = {}
    for column, (status, reason) in zip(COLUMNS, expected(surface, caller), strict=True):
        response = ask(client, columns[column], headers)
        answers[column] = fingerprint(response)
        assert response.status_code == status, (caller, column, surface, answers[column][2][:200])
        if status == 401:
            assert response["WWW-Authenticate"] == WWW_AUTH  # S4.8
        else:
            assert not response.has_header("WWW-Authenticate")
        if reason:
            assert reason in response.reason_phrase  # S2.12
            assert reason in response.content.decode()
    for column in ("public", "private", "hidden", "org"):
        if answers[column][0] == 404:
            assert answers[column] == answers["unknown"], (column, surface)  # S4.12


def test_every_surface_has_a_row_for_every_caller():
    for surface in SURFACES:
        assert set(TABLES.get(surface, READ_TABLE)) == set(CALLERS), surface


def test_every_read_and_upload_surface_of_the_credential_table_is_in_the_table():
    """A surface that reads or uploads (access.credentials.ACCEPTED) is driven here."""
    wanted = {
        surface
        for surface, actions in ACCEPTED.items()
        if access.Action.READ in actions or access.Action.UPLOAD in actions
    }
    assert wanted <= {s.kind for s in SURFACES.values()}


@pytest.mark.parametrize("caller", CALLERS)
def test_auth_simple_root_challenges_anonymous_and_otherwise_matches_simple(
    client, index, caller
):  # S4.13
    headers = index["cast"].sign_in(client, caller)
    root = client.get("/auth/simple/", **headers)
    assert root.status_code == {200: 200, 401: 401, 403: 403}[AUTH_SIMPLE_TABLE[caller][0]]


# --- with an upstream that holds every column's name (issue 8) ----------------------------------

# The upstream holds public-pkg, private-pkg, hidden-pkg, org-pkg and ghost-pkg (impostors of
# the four local names). Local names answer exactly as without it, whoever asks; only
# ghost-pkg, which has no local project, is the upstream's: 200 for every caller who may read
# public projects.
UPSTREAM_TABLE = {caller: (*row[:4], row[0]) for caller, row in READ_TABLE.items()}


@pytest.fixture(scope="module")
def impostor_upstream(tmp_path_factory):
    from tests.upstream_index.fixtures import FakePyPI

    fake = FakePyPI(tmp_path_factory.mktemp("impostors"))
    for name in ("public-pkg", "private-pkg", "hidden-pkg", "org-pkg", "ghost-pkg"):
        fake.add(name, "9.9.9", sdist=False)
    fake.start()
    yield fake
    fake.stop()


@pytest.mark.parametrize("caller", CALLERS)
def test_status_table_with_an_upstream(client, index, caller, impostor_upstream, settings):
    settings.PRIVINDEX_UPSTREAM_URL = impostor_upstream.url
    headers = index["cast"].sign_in(client, caller)
    columns = targets(index)
    for column, status in zip(COLUMNS, UPSTREAM_TABLE[caller], strict=True):
        name = columns[column].name
        response = client.get(f"/simple/{name}/", HTTP_ACCEPT=SIMPLE_JSON, **headers)
        assert response.status_code == status, (caller, column, response.content[:200])
        proxied = response.get("Privindex-Upstream")
        assert (proxied is not None) == (column == "unknown" and status == 200), (caller, column)
        if status == 200 and column != "unknown":
            assert b"9.9.9" not in response.content  # never the impostor's files
    for local in ("public-pkg", "private-pkg", "hidden-pkg", "org-pkg"):
        assert not impostor_upstream.requested(local), local


# --- a closed index (PRIVINDEX_ANONYMOUS_READ=false) --------------------------------------------


# Uploads never read and /auth/simple/ always challenges; the history, settings and deletion
# pages ask to manage, never to read, and the dashboard asks who is signed in: a closed index
# changes nothing there.
UNCHANGED_WHEN_CLOSED = (
    "upload",
    "auth-simple",
    "web-history",
    "web-settings",
    "web-delete-file",
    "web-delete-release",
    "web-delete-project",
    "dashboard",
    "account-activity",
)


@pytest.mark.parametrize("surface", [s for s in SURFACES if s not in UNCHANGED_WHEN_CLOSED])
@pytest.mark.parametrize(
    "caller", ["anon", "read_token", "upload_token", "owner", "org_read_token"]
)
def test_status_table_of_a_closed_index(client, index, caller, surface, settings):
    """Closed: every anonymous read is 401 with a challenge, whatever the name; everyone
    else is answered as on an open index."""
    settings.PRIVINDEX_ANONYMOUS_READ = False
    ask = SURFACES[surface].ask
    headers = index["cast"].sign_in(client, caller)
    columns = targets(index)
    open_row = expected(surface, caller)
    for column, (status, _reason) in zip(COLUMNS, open_row, strict=True):
        response = ask(client, columns[column], headers)
        fingerprint(response)  # read (and so close) streamed files
        want = 401 if caller == "anon" else status
        assert response.status_code == want, (caller, column, surface)
        if want == 401:
            assert response["WWW-Authenticate"] == WWW_AUTH
