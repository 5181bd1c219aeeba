"""The token page: issue (secret shown once), list, revoke (DESIGN 5)."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import Event
from tests import factories
from tests.e2e.test_readme_snippets import NEVER_SHOWN, SNIPPETS
from tokens.models import Token
from tokens.services import token_authenticate, token_issue

TOKENS = "/account/tokens/"
SNIPPET_BLOCK = re.compile(
    r'<pre class="snippet" data-snippet="(?P<name>[a-z0-9-]+)"><code>(?P<body>.*?)</code></pre>',
    re.S,
)


def page_snippets(body: str) -> dict[str, str]:
    """The client snippets of a page, by name, as the user copies them."""
    found = [(m["name"], html.unescape(m["body"])) for m in SNIPPET_BLOCK.finditer(body)]
    assert len({name for name, _ in found}) == len(found), "a snippet name is used twice"
    return dict(found)


def as_on_this_server(readme_snippet: str) -> str:
    """A README snippet as the token page shows it: this server's address, and the
    placeholder PROJECT for the README's example project."""
    text = readme_snippet.replace("https://", "http://").replace("index.example.org", "testserver")
    return text.replace("acme-widgets", "PROJECT").rstrip("\n")


def test_urls_are_where_the_design_puts_them():
    assert reverse("accounts:tokens") == TOKENS
    assert reverse("accounts:token-revoke", args=[7]) == "/account/tokens/7/revoke/"
    assert reverse("accounts:login") == "/account/login/"
    assert reverse("accounts:logout") == "/account/logout/"


def test_token_page_requires_login(client, db):
    response = client.get(TOKENS)

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")


def test_token_cannot_open_the_token_page(client, read_token):
    response = client.get(TOKENS, HTTP_AUTHORIZATION=f"Bearer {read_token}")

    assert response.status_code == 302  # a token is not a session


@pytest.mark.parametrize(
    "header",
    ["session plus token header", "session plus bad header", "session plus revoked token"],
)
def test_signed_in_user_sending_a_header_gets_their_token_page(
    client, owner, read_token, revoked_token, header
):
    """The page is for the person signed in: an Authorization header, valid or not, changes
    nothing (refusing it sent the user to the login page, which sent them straight back)."""
    sent = {
        "session plus token header": f"Bearer {read_token}",
        "session plus bad header": "Basic ***",
        "session plus revoked token": f"Bearer {revoked_token}",
    }[header]
    client.force_login(owner)

    page = client.get(TOKENS, HTTP_AUTHORIZATION=sent, follow=True)
    created = client.post(TOKENS, {"scopes": ["read"]}, HTTP_AUTHORIZATION=sent)
    issued = created.context["issued"].token
    revoked = client.post(
        reverse("accounts:token-revoke", args=[issued.pk]),
        {"confirm": "yes"},
        HTTP_AUTHORIZATION=sent,
    )

    assert (page.status_code, page.redirect_chain) == (200, [])  # no redirect, no loop
    assert page.context["user"] == owner
    assert created.status_code == 200
    assert issued.user == owner
    assert (revoked.status_code, revoked["Location"]) == (302, TOKENS)


def test_new_token_secret_is_shown_once_and_never_listed(client, owner, public_project):
    client.force_login(owner)

    created = client.post(
        TOKENS, {"name": "ci", "scopes": ["read", "upload"], "projects": "open_pkg"}
    )
    secret = created.context["issued"].secret
    listed = client.get(TOKENS)

    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    body = created.content.decode()
    assert body.count(secret) == 3  # the token, and the two environment variables to set
    snippets = page_snippets(body)
    assert snippets["export-read"] == f"export PRIVINDEX_TOKEN={secret}"
    assert snippets["export-upload"] == f"export PRIVINDEX_UPLOAD_TOKEN={secret}"
    # Restricted to one project: the snippets install that one (else they say PROJECT).
    assert snippets["pip-install"] == (
        'pip install --index-url "http://__token__:${PRIVINDEX_TOKEN}@testserver/simple/" '
        + public_project.name
    )
    assert snippets["twine-upload"] == (
        "twine upload --repository-url http://testserver/legacy/"
        ' -u __token__ -p "$PRIVINDEX_UPLOAD_TOKEN" dist/*'
    )
    token = token_authenticate(secret)
    assert token is not None
    assert (token.name, token.scopes) == ("ci", ["read", "upload"])
    assert list(token.projects.all()) == [public_project]
    assert secret not in listed.content.decode()
    assert token.identifier in listed.content.decode()
    assert b"Open-Pkg" in listed.content
    assert Event.objects.filter(action="token:issue", actor=owner).count() == 1


def test_token_list_never_shows_a_secret(client, owner):
    issued = token_issue(user=owner, scopes=["read"], name="laptop", actor=owner)
    client.force_login(owner)

    response = client.get(TOKENS)

    assert issued.secret not in response.content.decode()
    assert issued.token.identifier in response.content.decode()
    assert b"laptop" in response.content


def test_expiry_days_set_the_expiry(client, owner):
    client.force_login(owner)

    response = client.post(TOKENS, {"scopes": ["read"], "expires_days": "30"})

    token = response.context["issued"].token
    assert 29 <= (token.expires - token.created).days <= 30


def test_restriction_to_a_project_the_user_cannot_see_is_refused(client, outsider, private_project):
    client.force_login(outsider)

    response = client.post(TOKENS, {"scopes": ["read"], "projects": "Secret-Pkg"})
    unknown = client.post(TOKENS, {"scopes": ["read"], "projects": "no-such-pkg"})

    assert response.context["issued"] is None
    assert response.context["form"].errors["projects"] == ["No project named Secret-Pkg."]
    assert unknown.context["form"].errors["projects"] == ["No project named no-such-pkg."]
    assert not Token.objects.filter(user=outsider).exists()


def test_restriction_names_every_missing_project_as_typed(client, owner, public_project):
    client.force_login(owner)

    response = client.post(TOKENS, {"scopes": ["read"], "projects": "zeta, OPEN_PKG alpha"})
    accepted = client.post(TOKENS, {"scopes": ["read"], "projects": "Open.Pkg, open-pkg"})

    assert response.context["form"].errors["projects"] == ["No project named zeta, alpha."]
    assert list(accepted.context["issued"].token.projects.all()) == [public_project]


def test_a_token_needs_a_scope(client, owner):
    client.force_login(owner)

    response = client.post(TOKENS, {"name": "nothing"})

    assert "scopes" in response.context["form"].errors
    assert not Token.objects.exists()


def test_revoke_stops_the_token_authenticating(client, owner):
    issued = token_issue(user=owner, scopes=["read"], actor=owner)
    client.force_login(owner)

    confirm = client.get(reverse("accounts:token-revoke", args=[issued.token.pk]))
    unconfirmed = client.post(reverse("accounts:token-revoke", args=[issued.token.pk]))
    assert confirm.status_code == unconfirmed.status_code == 200
    assert b"next request on" in confirm.content
    assert token_authenticate(issued.secret) is not None  # nothing until it is confirmed

    response = client.post(
        reverse("accounts:token-revoke", args=[issued.token.pk]), {"confirm": "yes"}
    )

    assert response.status_code == 302
    assert response["Location"] == TOKENS
    assert token_authenticate(issued.secret) is None
    assert Event.objects.filter(action="token:revoke", actor=owner).exists()
    assert b"Revoked" in client.get(TOKENS).content


def test_cannot_revoke_another_users_token(client, owner, outsider):
    issued = token_issue(user=owner, scopes=["read"], actor=owner)
    client.force_login(outsider)

    response = client.post(
        reverse("accounts:token-revoke", args=[issued.token.pk]), {"confirm": "yes"}
    )

    assert response.status_code == 404
    assert client.get(reverse("accounts:token-revoke", args=[issued.token.pk])).status_code == 404
    assert token_authenticate(issued.secret) is not None


def test_a_new_token_expires_in_90_days_unless_never_is_ticked(client, owner):
    client.force_login(owner)
    client.post(TOKENS, {"scopes": ["read"], "name": "default"})
    client.post(TOKENS, {"scopes": ["read"], "name": "forever", "never": "on"})
    default, forever = Token.objects.get(name="default"), Token.objects.get(name="forever")
    assert 89 <= (default.expires - default.created).days <= 90
    assert forever.expires is None


def test_a_token_is_kept_to_projects_picked_from_a_list_or_an_organization(client, owner):
    org = factories.OrganizationFactory(name="Acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="member")
    mine = factories.ProjectFactory(name="Mine", visibility="private")
    factories.ProjectRoleFactory(project=mine, user=owner, role="owner")
    client.force_login(owner)
    page = client.get(TOKENS).content.decode()
    assert 'value="mine"' in page and 'value="acme"' in page

    client.post(TOKENS, {"scopes": ["read"], "name": "picked", "chosen": ["mine"]})
    client.post(TOKENS, {"scopes": ["read"], "name": "org", "organization": "acme"})
    refused = client.post(TOKENS, {"scopes": ["read"], "name": "x", "organization": "globex"})

    assert list(Token.objects.get(name="picked").projects.all()) == [mine]
    assert Token.objects.get(name="org").organization == org
    assert refused.status_code == 200 and not Token.objects.filter(name="x").exists()


def test_token_forms_require_csrf_token(owner):
    issued = token_issue(user=owner, scopes=["read"], actor=owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    create = client.post(TOKENS, {"scopes": ["read"]})
    revoke = client.post(
        reverse("accounts:token-revoke", args=[issued.token.pk]), {"confirm": "yes"}
    )

    assert (create.status_code, revoke.status_code) == (403, 403)
    assert Token.objects.count() == 1
    assert token_authenticate(issued.secret) is not None


def test_login_and_logout(client, owner):
    login = client.post(
        reverse("accounts:login"), {"login": "owner", "password": "correct horse battery"}
    )
    tokens = client.get(TOKENS)
    logout = client.post(reverse("accounts:logout"))

    assert login.status_code == 302
    assert login["Location"] == "/"
    assert tokens.status_code == 200
    assert logout.status_code == 302
    assert client.get(TOKENS).status_code == 302


@pytest.mark.parametrize(
    ("scopes", "shown"),
    [
        (["read"], {"export-read"}),
        (["upload"], {"export-upload"}),
        (["read", "upload"], {"export-read", "export-upload"}),
        (["manage"], set()),
    ],
)
def test_token_page_shows_the_readme_snippets_for_the_new_tokens_scopes(
    client, owner, scopes, shown
):
    """The setups shown are the README's, which tests/e2e/test_readme_snippets.py runs with
    the real clients: the same text with this server's address (issue 8, S4.16)."""
    client.force_login(owner)

    body = client.post(TOKENS, {"scopes": scopes}).content.decode()

    snippets = page_snippets(body)
    readme = {name for name in snippets if name in SNIPPETS}
    assert set(snippets) - readme == shown
    installs = {"pip-install", "pip-conf", "netrc", "uv-index", "poetry-add", "pdm-source"}
    publishes = {"twine-upload", "pypirc", "uv-publish", "poetry-publish", "pdm-publish"}
    assert ("read" in scopes) == installs.issubset(readme)
    assert ("upload" in scopes) == publishes.issubset(readme)
    for name in readme:
        assert snippets[name] == as_on_this_server(SNIPPETS[name].body), name


@pytest.mark.parametrize("scopes", [["read"], ["upload"], ["read", "upload", "manage"]])
def test_token_page_never_shows_a_second_index(client, owner, scopes):
    client.force_login(owner)

    created = client.post(TOKENS, {"scopes": scopes}).content.decode().lower()
    listed = client.get(TOKENS).content.decode().lower()

    for word in NEVER_SHOWN:
        assert word not in created
        assert word not in listed
