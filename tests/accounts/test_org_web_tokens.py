"""Organization tokens through the web UI (issue 9): owners and managers issue them (read
and upload scopes only, optionally kept to some of the organization's projects); the secret
is shown once, in that response; the list names who issued each; only owners revoke; a token
outlives its creator's membership. Members are told they may not (403); anyone else gets the
404 of a name that does not exist."""

from __future__ import annotations

import pytest
from django.test import Client

from access import Action, Principal, Surface, decide
from audit.models import Event
from tests import factories
from tests.accounts.test_org_web_pages import make_scene, url
from tests.tokens.test_web import page_snippets
from tokens.models import Token
from tokens.services import token_authenticate, token_issue

TOKENS = "/org/acme/tokens/"


@pytest.fixture
def scene(cast):
    return make_scene(cast)


@pytest.fixture
def owner_client(client, cast, scene):
    client.force_login(cast.user("org_owner"))
    return client


@pytest.fixture
def manager_client(cast, scene):
    client = Client()
    client.force_login(cast.user("org_manager"))
    return client


def issue(client, **data):
    return client.post(TOKENS, data)


def test_urls_are_under_the_organization():
    assert url("tokens", "acme") == TOKENS
    assert url("token-revoke", "acme", 7) == "/org/acme/tokens/7/revoke/"


def test_issued_secret_is_shown_once_and_authenticates_as_the_organizations_token(
    manager_client, cast, scene
):
    created = issue(manager_client, name="deploy", scopes=["read"])
    secret = created.context["issued"].secret
    listed = manager_client.get(TOKENS)

    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    body = created.content.decode()
    assert body.count(secret) == 2  # the token, and the environment variable to set
    snippets = page_snippets(body)
    assert snippets["export-read"] == f"export PRIVINDEX_TOKEN={secret}"
    assert snippets["pip-install"] == (
        'pip install --index-url "http://__token__:${PRIVINDEX_TOKEN}@testserver/simple/" PROJECT'
    )
    assert "twine-upload" not in snippets  # a read token does not upload
    assert secret.encode() not in listed.content
    assert secret not in str(list(listed.context["messages"]))
    token = token_authenticate(secret)
    assert token is not None
    assert (token.user, token.organization, token.created_by) == (
        None,
        scene.org,
        cast.user("org_manager"),
    )
    assert (token.name, token.scopes, list(token.projects.all())) == ("deploy", ["read"], [])
    principal = Principal(token=token)
    assert principal.organization_token
    assert decide(principal, Action.READ, scene.project, surface=Surface.SIMPLE)
    assert not decide(principal, Action.UPLOAD, scene.project, surface=Surface.UPLOAD)
    event = Event.objects.get(action="token:issue", token=token)
    assert event.actor == cast.user("org_manager")
    assert secret not in str(event.data)


def test_upload_token_shows_the_twine_snippet(owner_client):
    created = issue(owner_client, scopes=["read", "upload"])

    secret = created.context["issued"].secret
    snippets = page_snippets(created.content.decode())
    assert snippets["export-upload"] == f"export PRIVINDEX_UPLOAD_TOKEN={secret}"
    assert snippets["twine-upload"] == (
        "twine upload --repository-url http://testserver/legacy/"
        ' -u __token__ -p "$PRIVINDEX_UPLOAD_TOKEN" dist/*'
    )


def test_token_kept_to_chosen_projects_of_the_organization(owner_client, scene):
    second = factories.ProjectFactory(name="acme-lib", organization=scene.org)

    created = issue(owner_client, scopes=["read"], projects=[second.pk], expires_days="30")

    token = created.context["issued"].token
    assert list(token.projects.all()) == [second]
    assert token.expires is not None
    assert 29 <= (token.expires - token.created).days <= 30
    assert [p.name for p in created.context["form"].fields["projects"].queryset] == [
        "acme-app",
        "acme-lib",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scopes": ["manage"]}, "not one of the available choices"),
        ({"scopes": []}, "required"),
        ({"scopes": ["read"], "expires_days": "0"}, "greater than or equal to 1"),
        ({"scopes": ["read"], "expires_days": "4000"}, "less than or equal to 3650"),
        ({"scopes": ["read"], "name": "x" * 101}, "at most 100"),
    ],
)
def test_refused_token_request_issues_nothing(owner_client, scene, data, message):
    before = Token.objects.count()

    response = issue(owner_client, **data)

    assert response.status_code == 400
    assert response.context["issued"] is None
    assert message in str(response.context["form"].errors)
    assert Token.objects.count() == before


def test_forged_project_of_another_organization_is_refused(owner_client, cast, scene):
    foreign = factories.ProjectFactory(name="globex-app", organization=cast.other_org)
    loose = factories.ProjectFactory(name="loose", visibility="public")
    before = Token.objects.count()

    responses = [issue(owner_client, scopes=["read"], projects=[p.pk]) for p in (foreign, loose)]

    assert [r.status_code for r in responses] == [400, 400]
    assert all("projects" in r.context["form"].errors for r in responses)
    assert Token.objects.count() == before


def test_list_shows_each_tokens_creator_and_state(owner_client, manager_client, cast, scene):
    issue(manager_client, name="ci", scopes=["upload"])

    page = owner_client.get(TOKENS)

    tokens = list(page.context["tokens"])
    assert [(t.name, t.created_by.username) for t in tokens] == [
        ("ci", "org_manager"),
        ("deploy", "org_owner"),  # the scene's org_read_token
    ]
    body = page.content.decode()
    assert '<td class="created-by">org_manager</td>' in body
    assert '<td class="created-by">org_owner</td>' in body
    assert f"pvi_{tokens[0].identifier}_" in body
    assert body.count("Active") == 2
    assert page.context["can_revoke"] is True


def test_personal_tokens_of_members_are_not_listed(owner_client, cast, scene):
    personal = cast.issued("token_for_org").token  # team_maintainer's, kept to Acme

    page = owner_client.get(TOKENS)

    assert personal not in list(page.context["tokens"])
    assert owner_client.post(url("token-revoke", "acme", personal.pk)).status_code == 404
    personal.refresh_from_db()
    assert personal.revoked is None


def test_manager_may_not_revoke_an_owner_may(owner_client, manager_client, cast, scene):
    page = manager_client.get(TOKENS)
    refused = manager_client.post(url("token-revoke", "acme", scene.token.pk))
    scene.token.refresh_from_db()
    still_active = scene.token.revoked is None

    revoked = owner_client.post(url("token-revoke", "acme", scene.token.pk))

    assert page.context["can_revoke"] is False
    assert b"Revoke</button>" not in page.content
    assert refused.status_code == 403
    assert b"Only owners of the organization may do this." in refused.content
    assert still_active
    assert (revoked.status_code, revoked["Location"]) == (302, TOKENS)
    scene.token.refresh_from_db()
    assert scene.token.revoked is not None
    assert token_authenticate(cast.secret("org_read_token")) is None
    event = Event.objects.get(action="token:revoke")
    assert (event.actor, event.token) == (cast.user("org_owner"), scene.token)


def test_token_of_another_organization_cannot_be_revoked_here(owner_client, cast, scene):
    cast.ensure("foreign_org_owner")
    theirs = token_issue(
        user=None,
        organization=cast.other_org,
        scopes=["read"],
        actor=cast.user("foreign_org_owner"),
    ).token

    response = owner_client.post(url("token-revoke", "acme", theirs.pk))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked is None


def test_token_keeps_working_after_its_creator_leaves(owner_client, manager_client, cast, scene):
    secret = issue(manager_client, name="ci", scopes=["read", "upload"]).context["issued"].secret

    removed = owner_client.post(url("member-remove", "acme", "org_manager"))

    assert removed.status_code == 302
    token = token_authenticate(secret)
    assert token is not None
    assert token.created_by == cast.user("org_manager")
    assert decide(Principal(token=token), Action.UPLOAD, scene.project, surface=Surface.UPLOAD)
    assert manager_client.get(TOKENS).status_code == 404  # no longer theirs to see


def test_member_is_told_the_tokens_page_is_for_owners_and_managers(client, cast, scene):
    client.force_login(cast.user("org_member"))

    page = client.get(TOKENS)
    posted = client.post(TOKENS, {"scopes": ["read"]})

    assert page.status_code == posted.status_code == 403
    assert b"Only owners and managers of the organization may issue its tokens." in page.content
    assert Token.objects.filter(organization=scene.org, user=None).count() == 1
