"""Which kinds of credential each surface accepts for each action: the one table.

A surface is a family of URLs that answers the same way (the simple pages, the upload endpoint,
the web forms, the REST API...). ``credential_check`` answers "may this *kind* of caller ask for
this here?" before the policy looks at roles: a session may not upload through ``/legacy/``
(twine sends a token), a token may not post the web forms (they are for people, with CSRF), and
no token may manage tokens (a leaked token must not mint more or outlive its revocation).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.conf import settings

from access.decision import ALLOW, Decision, Denial
from access.roles import Action

if TYPE_CHECKING:
    from access.principal import Principal


class Credential(enum.StrEnum):
    ANONYMOUS = "anonymous"
    SESSION = "session"  # a signed-in user of the web UI (cookie, CSRF for unsafe methods)
    TOKEN = "token"  # an API token, sent as HTTP Basic or Bearer


class Surface(enum.StrEnum):
    SIMPLE = "simple"  # /simple/ pages (PEP 503/691)
    AUTH_SIMPLE = "auth-simple"  # /auth/simple/: every anonymous request is challenged
    FILES = "files"  # /files/... downloads and .metadata
    JSON_API = "json-api"  # /pypi/<name>/json
    UPLOAD = "upload"  # /legacy/
    WEB = "web"  # the web UI's pages and forms
    WEB_TOKENS = "web-tokens"  # /account/tokens/
    API = "api"  # /api/v1/
    # /api/v1/ collections (issue 11): every list is for signed-in callers and tokens, so an
    # anonymous caller is challenged rather than handed a page of public projects.
    API_LIST = "api-list"


ANY = frozenset(Credential)
SIGNED_IN = frozenset({Credential.SESSION, Credential.TOKEN})
SESSION = frozenset({Credential.SESSION})
TOKEN = frozenset({Credential.TOKEN})

ACCEPTED: dict[Surface, dict[Action, frozenset[Credential]]] = {
    Surface.SIMPLE: {Action.READ: ANY},
    Surface.AUTH_SIMPLE: {Action.READ: SIGNED_IN},
    Surface.FILES: {Action.READ: ANY},
    Surface.JSON_API: {Action.READ: ANY},
    Surface.UPLOAD: {Action.UPLOAD: TOKEN, Action.CREATE: TOKEN},
    Surface.WEB: {
        Action.READ: ANY,
        Action.YANK: SESSION,
        Action.MANAGE: SESSION,
        Action.MODERATE: SESSION,
        # /org/<name>/: for signed-in people.
        Action.ORGANIZATION_READ: SESSION,
        Action.ORGANIZATION_MANAGE: SESSION,
        Action.TEAMS_MANAGE: SESSION,
        Action.ORGANIZATION_TOKENS_ISSUE: SESSION,
        Action.ORGANIZATION_CREATE: SESSION,
    },
    Surface.WEB_TOKENS: {Action.TOKENS_MANAGE: SESSION},
    Surface.API: {
        Action.READ: ANY,
        # A project without a file (issue 11): the name rules of a first upload.
        Action.CREATE: SIGNED_IN,
        Action.YANK: SIGNED_IN,
        Action.MANAGE: SIGNED_IN,
        Action.MODERATE: SIGNED_IN,
        Action.ORGANIZATION_READ: SIGNED_IN,
        Action.ORGANIZATION_MANAGE: SIGNED_IN,
        Action.TEAMS_MANAGE: SIGNED_IN,
        # A token kept to projects or to an organization may not (``decide_organization_create``).
        Action.ORGANIZATION_CREATE: SIGNED_IN,
        # No token issues tokens, an organization's included.
        Action.ORGANIZATION_TOKENS_ISSUE: SESSION,
        Action.TOKENS_MANAGE: SESSION,
    },
    Surface.API_LIST: {Action.READ: SIGNED_IN},
}

AUTHENTICATION_REQUIRED = "Authentication required."
CLOSED_INDEX = "Authentication required: this index serves signed-in users and tokens only."
# The surfaces a closed index (PRIVINDEX_ANONYMOUS_READ=false) shuts to anonymous readers.
READ_SURFACES = frozenset(
    {Surface.SIMPLE, Surface.FILES, Surface.JSON_API, Surface.WEB, Surface.API}
)
UPLOAD_NEEDS_TOKEN = (
    "Invalid or non-existent authentication information. "
    "Upload with the username __token__ and an API token as the password."
)
FORMS_NEED_SESSION = "These forms are for signed-in users; use the API."
TOKENS_NEED_SESSION = "Use the web UI or a session to manage tokens."
NOT_OFFERED = "This action is not offered here."

# What a caller of a kind a surface does not accept is told, where it is not the default
# (anonymous and session callers: 401 "Authentication required."; tokens: 403).
_REFUSALS: dict[tuple[Surface, Credential], Decision] = {
    (Surface.UPLOAD, Credential.ANONYMOUS): Decision(
        False, Denial.UNAUTHENTICATED, UPLOAD_NEEDS_TOKEN
    ),
    # 401, not 403: twine and uv answer a 401 by asking for a token.
    (Surface.UPLOAD, Credential.SESSION): Decision(
        False, Denial.UNAUTHENTICATED, UPLOAD_NEEDS_TOKEN
    ),
    (Surface.WEB, Credential.TOKEN): Decision(False, Denial.FORBIDDEN, FORMS_NEED_SESSION),
    # The token pages are for a signed-in person: a token alone is sent to the login page.
    (Surface.WEB_TOKENS, Credential.TOKEN): Decision(
        False, Denial.UNAUTHENTICATED, AUTHENTICATION_REQUIRED
    ),
    (Surface.API, Credential.TOKEN): Decision(False, Denial.FORBIDDEN, TOKENS_NEED_SESSION),
}


def anonymous_read_open() -> bool:
    """Does the index answer anonymous reads (``PRIVINDEX_ANONYMOUS_READ``, on by default)?"""
    return bool(getattr(settings, "PRIVINDEX_ANONYMOUS_READ", True))


def credential_of(principal: Principal) -> Credential:
    if principal.token is not None:
        return Credential.TOKEN
    if principal.user is not None:
        return Credential.SESSION
    return Credential.ANONYMOUS


def credential_check(principal: Principal, action: Action, *, surface: Surface) -> Decision:
    """ALLOW when ``surface`` accepts ``principal``'s kind of credential for ``action``.

    Depends on the kind of credential alone, never on names, so surfaces may ask it before
    reading a body or looking anything up.
    """
    accepted = ACCEPTED[surface].get(action)
    if accepted is None:
        return Decision(False, Denial.FORBIDDEN, NOT_OFFERED)
    kind = credential_of(principal)
    if (
        kind == Credential.ANONYMOUS
        and action == Action.READ
        and surface in READ_SURFACES
        and not anonymous_read_open()
    ):
        return Decision(False, Denial.UNAUTHENTICATED, CLOSED_INDEX)
    if kind in accepted:
        return ALLOW
    refusal = _REFUSALS.get((surface, kind))
    if refusal is not None:
        return refusal
    if kind == Credential.TOKEN:
        return Decision(False, Denial.FORBIDDEN, NOT_OFFERED)
    return Decision(False, Denial.UNAUTHENTICATED, AUTHENTICATION_REQUIRED)
