"""The one catalogue of named principals (STYLE.md, Tests; DESIGN 4).

A ``Cast`` makes, on first use, each named principal of a *scene*: the projects its roles are
on (``projects``), the project a restricted token is kept to (``other``), an organization
(``org``) and a foreign one (``other_org``). The same name means the same caller everywhere:
in the policy matrix (tests/access/test_policy.py), in the fixtures of tests/conftest.py, in
the REST matrix (tests/api/test_matrix.py), the status table (tests/test_status_table.py) and
the credential table (tests/access/test_credentials.py).

Scene inputs may be given as values or as zero-argument callables (resolved on first use), so
a fixture can hand over other fixtures without creating what a test never asks for.

- ``USERS``: people, signed in with a session (``cast.user``, ``cast.sign_in``);
- ``TOKENS``: API tokens, sent the way pip and twine send them (``cast.secret``,
  ``cast.headers``);
- ``BAD_CREDENTIALS``: credentials that are sent but are not valid: never anonymous (S4.10).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from access import Principal
from tests import factories
from tokens.services import IssuedToken, token_issue, token_revoke

PASSWORD = "correct horse battery"  # every factory user's password
ANON = "anon"


@dataclass(frozen=True)
class UserRecipe:
    """A user and its roles, relative to the scene."""

    project_role: str | None = None  # on each of the scene's projects
    other_role: str | None = None  # on the scene's other project
    org_role: str | None = None  # in the scene's organization
    team_role: str | None = None  # through a team of the organization, on each project
    foreign_org_role: str | None = None  # in the other organization
    flags: dict[str, bool] = field(default_factory=dict)  # is_staff, is_superuser


@dataclass(frozen=True)
class TokenRecipe:
    """A token: whose, with which scopes, kept to what, in which state."""

    holder: str  # a name in USERS, or ORG_OWNED: the scene organization's own token
    scopes: tuple[str, ...]
    name: str = ""
    restrict: str | None = None  # "projects", "other", "org" or "other_org"
    state: str = "valid"  # "valid", "revoked" or "expired"


USERS: dict[str, UserRecipe] = {
    "outsider": UserRecipe(),
    "reader": UserRecipe(project_role="reader"),
    "maintainer": UserRecipe(project_role="maintainer"),
    "owner": UserRecipe(project_role="owner", other_role="owner"),
    "org_owner": UserRecipe(org_role="owner"),
    "org_manager": UserRecipe(org_role="manager"),
    "org_member": UserRecipe(org_role="member"),
    "foreign_org_owner": UserRecipe(foreign_org_role="owner"),
    # Team users are organization members too: a team counts only for current members.
    "team_reader": UserRecipe(org_role="member", team_role="reader"),
    "team_maintainer": UserRecipe(org_role="member", team_role="maintainer"),
    "superuser": UserRecipe(flags={"is_superuser": True, "is_staff": True}),
    "staff": UserRecipe(flags={"is_staff": True}),
}

READ_UPLOAD = ("read", "upload")
ORG_OWNED = "@org"  # a token owned by the scene's organization (issued by its org_owner)
ALL_SCOPES = ("read", "upload", "manage")
TOKENS: dict[str, TokenRecipe] = {
    "read_token": TokenRecipe("owner", ("read",), name="read"),
    "upload_token": TokenRecipe("owner", ("upload",), name="upload"),
    "manage_token": TokenRecipe("owner", ("manage",), name="manage"),
    "all_scopes_token": TokenRecipe("owner", ALL_SCOPES, name="all scopes"),
    "token_for_project": TokenRecipe("owner", READ_UPLOAD, restrict="projects"),
    "token_for_other_project": TokenRecipe("owner", READ_UPLOAD, restrict="other"),
    # Personal tokens restricted to an organization: their holders are its members.
    "token_for_org": TokenRecipe("team_maintainer", READ_UPLOAD, restrict="org"),
    "token_for_other_org": TokenRecipe("foreign_org_owner", READ_UPLOAD, restrict="other_org"),
    # Organization tokens (issue 9): owned by the organization, not by a person.
    "org_read_token": TokenRecipe(ORG_OWNED, ("read",), name="deploy"),
    "org_upload_token": TokenRecipe(ORG_OWNED, READ_UPLOAD, name="ci"),
    "reader_token_with_upload": TokenRecipe("reader", READ_UPLOAD),
    "outsider_token": TokenRecipe("outsider", ALL_SCOPES, name="all"),
    "superuser_token": TokenRecipe("superuser", ALL_SCOPES, name="admin"),
    # A site administrator's token kept to the other project: it may not moderate the scene's
    # projects (decision 0014).
    "staff_token_for_other_project": TokenRecipe(
        "superuser", ALL_SCOPES, name="admin, other project", restrict="other"
    ),
    "revoked_token": TokenRecipe("owner", READ_UPLOAD, state="revoked"),
    "expired_token": TokenRecipe("owner", READ_UPLOAD, state="expired"),
}
VALID_TOKENS = tuple(name for name, recipe in TOKENS.items() if recipe.state == "valid")


def basic(username: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {raw}"}


def token_headers(secret: str, how: str = "basic") -> dict[str, str]:
    """A token as clients send it (S4.1): ``__token__:<token>``, ``<token>:`` or Bearer."""
    if how == "basic":
        return basic("__token__", secret)
    if how == "username-only":
        return basic(secret, "")
    if how == "bearer":
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    raise ValueError(how)


# name -> the headers, given the scene's owner's username
BAD_CREDENTIALS: dict[str, Callable[[str], dict[str, str]]] = {
    "malformed": lambda owner: {"HTTP_AUTHORIZATION": "Basic ***"},
    "unknown_token": lambda owner: token_headers("pvi_aaaaaaaaaaaa_" + "a" * 40),
    "garbage": lambda owner: token_headers("pypi-not-a-token", "bearer"),
    # A user's real password: passwords are not accepted at all (tokens only).
    "password": lambda owner: basic(owner, PASSWORD),
}


def kind(name: str) -> str:
    """The kind of caller: anonymous, session, token or bad (credentials sent, not valid)."""
    if name == ANON:
        return "anonymous"
    if name in USERS:
        return "session"
    if name in TOKENS:
        return "bad" if TOKENS[name].state != "valid" else "token"
    if name in BAD_CREDENTIALS:
        return "bad"
    raise KeyError(name)


class Cast:
    """The named principals of one scene, each made once, on first use."""

    def __init__(
        self,
        *,
        projects: Iterable[Any] | Callable[[], Iterable[Any]] = (),
        other: Any = None,
        org: Any = None,
        other_org: Any = None,
        owner: Any = None,
    ) -> None:
        self._inputs: dict[str, Any] = {
            "projects": projects,
            "other": other,
            "org": org,
            "other_org": other_org,
            "owner": owner,
        }
        self._resolved: dict[str, Any] = {}
        self._users: dict[str, Any] = {}
        self._tokens: dict[str, IssuedToken] = {}

    # --- the scene ----------------------------------------------------------------------------

    def _scene(self, key: str) -> Any:
        if key not in self._resolved:
            value = self._inputs[key]
            self._resolved[key] = value() if callable(value) else value
        return self._resolved[key]

    @property
    def projects(self) -> tuple[Any, ...]:
        return tuple(self._scene("projects"))

    @property
    def other(self) -> Any:
        if self._scene("other") is None:
            self._resolved["other"] = factories.ProjectFactory(name="Elsewhere")
        return self._resolved["other"]

    @property
    def org(self) -> Any:
        if self._scene("org") is None:
            self._resolved["org"] = factories.OrganizationFactory(name="acme")
        return self._resolved["org"]

    @property
    def other_org(self) -> Any:
        if self._scene("other_org") is None:
            self._resolved["other_org"] = factories.OrganizationFactory(name="globex")
        return self._resolved["other_org"]

    # --- users --------------------------------------------------------------------------------

    def user(self, name: str) -> Any:
        if name not in self._users:
            given = self._scene("owner") if name == "owner" else None
            self._users[name] = given if given is not None else self._make_user(name)
        return self._users[name]

    def _make_user(self, name: str) -> Any:
        recipe = USERS[name]
        user = factories.UserFactory(username=name, **recipe.flags)
        if recipe.project_role:
            for project in self.projects:
                factories.ProjectRoleFactory(project=project, user=user, role=recipe.project_role)
        if recipe.other_role:
            factories.ProjectRoleFactory(project=self.other, user=user, role=recipe.other_role)
        if recipe.org_role:
            factories.OrganizationMemberFactory(
                organization=self.org, user=user, role=recipe.org_role
            )
        if recipe.foreign_org_role:
            factories.OrganizationMemberFactory(
                organization=self.other_org, user=user, role=recipe.foreign_org_role
            )
        if recipe.team_role:
            team = factories.TeamFactory(organization=self.org, name=f"{name}s")
            factories.TeamMemberFactory(team=team, user=user)
            for project in self.projects:
                factories.TeamProjectRoleFactory(project=project, team=team, role=recipe.team_role)
        return user

    # --- tokens -------------------------------------------------------------------------------

    def issued(self, name: str) -> IssuedToken:
        if name not in self._tokens:
            self._tokens[name] = self._make_token(TOKENS[name])
        return self._tokens[name]

    def secret(self, name: str) -> str:
        return self.issued(name).secret

    def _make_token(self, recipe: TokenRecipe) -> IssuedToken:
        restriction: dict[str, Any] = {}
        if recipe.restrict == "projects":
            restriction["projects"] = list(self.projects)
        elif recipe.restrict == "other":
            restriction["projects"] = [self.other]
        elif recipe.restrict in ("org", "other_org"):
            restriction["organization"] = getattr(self, recipe.restrict)
        if recipe.state == "expired":
            restriction["expires_in"] = dt.timedelta(days=1)
        if recipe.holder == ORG_OWNED:
            holder = self.user("org_owner")
            issued = token_issue(
                user=None,
                scopes=recipe.scopes,
                name=recipe.name,
                actor=holder,
                organization=self.org,
                **restriction,
            )
        else:
            holder = self.user(recipe.holder)
            issued = token_issue(
                user=holder, scopes=recipe.scopes, name=recipe.name, actor=holder, **restriction
            )
        if recipe.state == "revoked":
            token_revoke(token=issued.token, actor=holder)
        elif recipe.state == "expired":
            issued.token.expires = issued.token.created - dt.timedelta(seconds=1)
            issued.token.save(update_fields=["expires"])
        return issued

    # --- as the policy and as HTTP see them ---------------------------------------------------

    def principal(self, name: str) -> Principal:
        """What ``access.decide`` is asked about (valid callers only)."""
        if name == ANON:
            return Principal()
        if name in USERS:
            return Principal(user=self.user(name))
        if kind(name) != "token":
            raise ValueError(f"{name} never becomes a principal: authentication refuses it")
        return Principal(token=self.issued(name).token)

    def ensure(self, *names: str) -> None:
        """Make ``names`` now (their roles exist whoever asks)."""
        for name in names:
            if name in TOKENS:
                self.issued(name)
            else:
                self.user(name)

    def principals(self, names: Iterable[str]) -> dict[str, Principal]:
        return {name: self.principal(name) for name in names}

    def headers(self, name: str, how: str = "basic") -> dict[str, str]:
        """The request headers ``name`` sends: none for anonymous and session callers."""
        if name in TOKENS:
            return token_headers(self.secret(name), how)
        if name in BAD_CREDENTIALS:
            return BAD_CREDENTIALS[name](self.user("owner").username)
        if name == ANON or name in USERS:
            return {}
        raise KeyError(name)

    def sign_in(self, client: Any, caller: str, how: str = "basic") -> dict[str, str]:
        """Log ``client`` in when ``caller`` is a session user; the headers to send otherwise.

        ``caller`` is a name, or ``name/how`` for a token sent another way ("read_token/bearer").
        """
        name, _, sent_as = caller.partition("/")
        how = sent_as or how
        if name in USERS:
            client.force_login(self.user(name))
        return self.headers(name, how)
