"""The one status table (DESIGN 4): every caller x every column through every surface.

Columns: public-pkg (public), private-pkg (private; its owner's principals may read it),
hidden-pkg (private; only a superuser may read it) and ghost-pkg (no such name). Rows: the
callers of the catalogue (tests.principals), with the transports clients use (S4.1).

Every 401 carries ``WWW-Authenticate`` (S4.8); a 404 is byte-identical (status, reason,
body, headers) to the 404 for a name that does not exist (S4.12). A new surface is one entry in
``SURFACES`` (which ``access.Surface`` it is, and how to ask it for a column), and an entry in
``TABLES`` if it does not answer as the read surfaces do.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

import access
from access.credentials import ACCEPTED
from tests import dists
from tests.simple_api.helpers import file_url

WWW_AUTH = 'Basic realm="privindex"'
COLUMNS = ("public", "private", "hidden", "unknown")
NAMES = {"public": "public-pkg", "private": "private-pkg", "hidden": "hidden-pkg"}
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


@dataclass(frozen=True)
class Target:
    """One column: a project name and one of its files."""

    name: str
    file: object


def _upload(client, target, headers):
    """Upload version 2.0 of ``target`` as twine does (S2.7), running on-commit work."""
    filename, content = dists.make_wheel(target.name, "2.0")
    fields = dists.upload_fields(filename, content)
    fields["content"] = SimpleUploadedFile(filename, content, "application/octet-stream")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/legacy/", fields, **headers)


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
    "web": Surface(access.Surface.WEB, lambda c, t, h: c.get(f"/project/{t.name}/", **h)),
    "upload": Surface(access.Surface.UPLOAD, _upload),
    # Files of upstream projects (issue 8): never for a name that exists here.
    "upstream-file": Surface(
        access.Surface.FILES,
        lambda c, t, h: c.get(f"/files/upstream/{t.name}/{t.file.filename}", **h),
    ),
}

# Callers: a catalogue name, or "name/transport" for a token sent another way (S4.1).
BAD = ("malformed", "unknown_token", "password", "garbage", "expired_token", "revoked_token")
SESSIONS = ("owner", "reader", "outsider", "staff", "superuser")

# caller -> (public, private, hidden, unknown) on every read surface (S4.9-S4.13, S5.11).
OK, NF = 200, 404
READ_TABLE = {
    "anon": (OK, NF, NF, NF),
    **{bad: (401,) * 4 for bad in BAD},  # S4.10: never treated as anonymous
    "upload_token": (403,) * 4,  # S4.11: no read scope; depends on the token only
    "manage_token": (403,) * 4,
    "read_token": (OK, OK, NF, NF),
    "read_token/bearer": (OK, OK, NF, NF),
    "read_token/username-only": (OK, OK, NF, NF),
    "all_scopes_token": (OK, OK, NF, NF),
    "reader_token_with_upload": (OK, OK, NF, NF),
    "outsider_token": (OK, NF, NF, NF),
    "token_for_other_project": (OK, NF, NF, NF),
    "superuser_token": (OK, OK, OK, NF),
    "owner": (OK, OK, NF, NF),
    "reader": (OK, OK, NF, NF),
    "outsider": (OK, NF, NF, NF),
    "staff": (OK, NF, NF, NF),  # being staff reads nothing private
    "superuser": (OK, OK, OK, NF),
}
# /auth/simple/ challenges every anonymous request, and otherwise answers as /simple/ (S4.13).
AUTH_SIMPLE_TABLE = {**READ_TABLE, "anon": (401,) * 4}

# The upload endpoint (DESIGN 4): 401 for no, bad or session credentials; 403 with the reason
# in the reason phrase and the body (S2.12) otherwise; a new name is created.
NO_TOKEN = (401, "Upload with the username __token__")
NO_SCOPE = (403, "does not have the 'upload' scope")
NOT_YOURS = (403, "isn't allowed to upload to project")
TAKEN = (409, "is not available")
RESTRICTED = (403, "A token restricted to projects cannot create a new project.")
UPLOAD_TABLE = {
    "anon": (NO_TOKEN,) * 4,
    **{bad: ((401, ""),) * 4 for bad in BAD},
    "read_token": (NO_SCOPE,) * 4,
    "read_token/bearer": (NO_SCOPE,) * 4,
    "read_token/username-only": (NO_SCOPE,) * 4,
    "manage_token": (NO_SCOPE,) * 4,
    "upload_token": ((OK, ""), (OK, ""), TAKEN, (OK, "")),
    "all_scopes_token": ((OK, ""), (OK, ""), TAKEN, (OK, "")),
    "reader_token_with_upload": (NOT_YOURS, NOT_YOURS, TAKEN, (OK, "")),
    "outsider_token": (NOT_YOURS, TAKEN, TAKEN, (OK, "")),
    # A hidden name is answered as a free one: this token may not create any project.
    "token_for_other_project": (NOT_YOURS, *((RESTRICTED,) * 3)),
    "superuser_token": ((OK, ""),) * 4,
    **{session: (NO_TOKEN,) * 4 for session in SESSIONS},  # twine sends tokens, not cookies
}
# /files/upstream/... serves nothing of a local name, whoever asks; with no upstream (the
# default) nothing at all. Bad credentials and missing scopes answer as everywhere.
UPSTREAM_FILE_TABLE = {
    caller: tuple(NF if cell == OK else cell for cell in row) for caller, row in READ_TABLE.items()
}
TABLES = {
    "auth-simple": AUTH_SIMPLE_TABLE,
    "upload": UPLOAD_TABLE,
    "upstream-file": UPSTREAM_FILE_TABLE,
}
CALLERS = list(READ_TABLE)


def expected(surface: str, caller: str) -> list[tuple[int, str]]:
    row = TABLES.get(surface, READ_TABLE)[caller]
    return [cell if isinstance(cell, tuple) else (cell, "") for cell in row]


def targets(index) -> dict[str, Target]:
    return {column: Target(NAMES.get(column, "ghost-pkg"), index[column]) for column in COLUMNS}


def fingerprint(response):
    """Everything a caller sees of an answer but its Date."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = {k: v for k, v in response.headers.items() if k.lower() != "date"}
    return response.status_code, response.reason_phrase, body, headers


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("caller", CALLERS)
def test_status_table(client, surface_index, caller, surface):
    ask = SURFACES[surface].ask
    headers = surface_index["cast"].sign_in(client, caller)
    columns = targets(surface_index)
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
    for column in ("public", "private", "hidden"):
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
    client, surface_index, caller
):  # S4.13
    headers = surface_index["cast"].sign_in(client, caller)
    root = client.get("/auth/simple/", **headers)
    assert root.status_code == {200: 200, 401: 401, 403: 403}[AUTH_SIMPLE_TABLE[caller][0]]


# --- with an upstream that holds every column's name (issue 8) ----------------------------------

# The upstream holds public-pkg, private-pkg, hidden-pkg and ghost-pkg (impostors of the three
# local names). Local names answer exactly as without it, whoever asks; only ghost-pkg, which
# has no local project, is the upstream's: 200 for every caller who may read public projects.
UPSTREAM_TABLE = {caller: (*row[:3], row[0]) for caller, row in READ_TABLE.items()}


@pytest.fixture(scope="module")
def impostor_upstream(tmp_path_factory):
    from tests.upstream_index.fixtures import FakePyPI

    fake = FakePyPI(tmp_path_factory.mktemp("impostors"))
    for name in ("public-pkg", "private-pkg", "hidden-pkg", "ghost-pkg"):
        fake.add(name, "9.9.9", sdist=False)
    fake.start()
    yield fake
    fake.stop()


@pytest.mark.parametrize("caller", CALLERS)
def test_status_table_with_an_upstream(client, surface_index, caller, impostor_upstream, settings):
    settings.PRIVINDEX_UPSTREAM_URL = impostor_upstream.url
    headers = surface_index["cast"].sign_in(client, caller)
    columns = targets(surface_index)
    for column, status in zip(COLUMNS, UPSTREAM_TABLE[caller], strict=True):
        name = columns[column].name
        response = client.get(f"/simple/{name}/", HTTP_ACCEPT=SIMPLE_JSON, **headers)
        assert response.status_code == status, (caller, column, response.content[:200])
        proxied = response.get("Privindex-Upstream")
        assert (proxied is not None) == (column == "unknown" and status == 200), (caller, column)
        if status == 200 and column != "unknown":
            assert b"9.9.9" not in response.content  # never the impostor's files
    for local in ("public-pkg", "private-pkg", "hidden-pkg"):
        assert not impostor_upstream.requested(local), local


# --- a closed index (PRIVINDEX_ANONYMOUS_READ=false) --------------------------------------------


@pytest.mark.parametrize("surface", [s for s in SURFACES if s not in ("upload", "auth-simple")])
@pytest.mark.parametrize("caller", ["anon", "read_token", "upload_token", "owner"])
def test_status_table_of_a_closed_index(client, surface_index, caller, surface, settings):
    """Closed: every anonymous read is 401 with a challenge, whatever the name; everyone
    else is answered as on an open index."""
    settings.PRIVINDEX_ANONYMOUS_READ = False
    ask = SURFACES[surface].ask
    headers = surface_index["cast"].sign_in(client, caller)
    columns = targets(surface_index)
    open_row = expected(surface, caller)
    for column, (status, _reason) in zip(COLUMNS, open_row, strict=True):
        response = ask(client, columns[column], headers)
        fingerprint(response)  # read (and so close) streamed files
        want = 401 if caller == "anon" else status
        assert response.status_code == want, (caller, column, surface)
        if want == 401:
            assert response["WWW-Authenticate"] == WWW_AUTH
