"""REST API tokens: session only, the secret shown once, restrictions only to readable projects."""

import secrets

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories
from tests.api.helpers import bearer, detail
from tokens.models import Token
from tokens.services import token_issue

SESSION_ONLY = {"detail": "Use the web UI or a session to manage tokens."}
FIELDS = {
    "identifier",
    "name",
    "scopes",
    "projects",
    "organization",
    "organization_owned",
    "created_by",
    "created",
    "expires",
    "last_used",
    "revoked",
}


def _create(api, **data):
    return api.post(reverse("api:token-list"), data, format="json")


def test_create_returns_the_secret_once_and_the_list_never(api, owner, private_project):
    api.force_login(owner)

    created = _create(api, scopes=["read"], name="ci", projects=["Secret_Pkg"], expires_in_days=30)
    listed = api.get(reverse("api:token-list"))

    assert created.status_code == 201
    body = created.json()
    secret = body.pop("token")
    assert set(body) == FIELDS
    assert body["scopes"] == ["read"]
    assert body["projects"] == ["Secret-Pkg"]
    assert body["expires"] is not None and body["revoked"] is None
    assert "no-store" in created["Cache-Control"]
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert [set(t) for t in listed.json()["results"]] == [FIELDS]
    assert secret not in listed.content.decode()
    assert Token.objects.get().secret_hash not in listed.content.decode()
    # The secret works, within its restriction.
    assert (
        api.get(reverse("api:project-detail", args=["secret-pkg"]), **bearer(secret)).status_code
        == 200
    )


def test_list_shows_only_own_tokens(api, owner, outsider, read_token):
    token_issue(user=outsider, scopes=["read"], name="mine", actor=None)
    api.force_login(outsider)

    assert [t["name"] for t in api.get(reverse("api:token-list")).json()["results"]] == ["mine"]


def test_the_token_list_is_a_page_newest_first(api, owner):
    for n in range(4):
        token_issue(user=owner, scopes=["read"], name=f"t{n}", actor=None)
    api.force_login(owner)

    page = api.get(reverse("api:token-list"), {"limit": 2}).json()
    refused = api.get(reverse("api:token-list"), {"scope": "read"})

    assert page["count"] == 4
    assert [t["name"] for t in page["results"]] == ["t3", "t2"]
    assert refused.status_code == 400
    assert detail(refused) == "scope: Unknown field."


def test_one_token_is_shown_to_its_user_only(api, owner, outsider, read_token):
    token = Token.objects.get(user=owner)
    url = reverse("api:token-detail", args=[token.identifier])
    api.force_login(owner)
    mine = api.get(url)
    api.force_login(outsider)
    theirs = api.get(url)
    unknown = api.get(reverse("api:token-detail", args=["x" * 5000]))

    assert mine.status_code == 200
    assert set(mine.json()) == FIELDS
    assert read_token not in mine.content.decode()
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.content == unknown.content


@pytest.mark.parametrize("token", ["read_token", "upload_token", "manage_token"])
def test_token_principal_cannot_manage_tokens(request, api, owner, token):
    secret = request.getfixturevalue(token)
    mine = Token.objects.filter(user=owner).first()

    minted = api.post(
        reverse("api:token-list"), {"scopes": ["manage"]}, format="json", **bearer(secret)
    )
    listed = api.get(reverse("api:token-list"), **bearer(secret))
    shown = api.get(reverse("api:token-detail", args=[mine.identifier]), **bearer(secret))
    revoked = api.delete(reverse("api:token-detail", args=[mine.identifier]), **bearer(secret))

    for response in (minted, listed, shown, revoked):
        assert response.status_code == 403
        assert detail(response) == SESSION_ONLY["detail"]
    assert Token.objects.filter(user=owner).count() == 1
    assert Token.objects.get(user=owner).revoked is None


def test_anonymous_is_challenged(api, db):
    response = _create(api, scopes=["read"])

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="privindex"'


def test_session_revokes_own_token_and_it_stops_working(api, owner, read_token, public_project):
    token = Token.objects.get(user=owner)
    api.force_login(owner)

    response = api.delete(reverse("api:token-detail", args=[token.identifier]))
    api.logout()
    used = api.get(reverse("api:project-list"), **bearer(read_token))

    assert response.status_code == 200
    assert response.json()["revoked"] is not None
    assert used.status_code == 401


def test_cannot_revoke_someone_elses_token(api, outsider, read_token, owner):
    token = Token.objects.get(user=owner)
    api.force_login(outsider)

    response = api.delete(reverse("api:token-detail", args=[token.identifier]))

    assert response.status_code == 404
    assert detail(response) == "Not found."
    token.refresh_from_db()
    assert token.revoked is None


def test_restriction_to_invisible_project_reads_as_unknown(api, outsider, private_project):
    api.force_login(outsider)

    invisible = _create(api, scopes=["read"], projects=["Secret-Pkg"])
    unknown = _create(api, scopes=["read"], projects=["Nope"])

    assert invisible.status_code == unknown.status_code == 400
    assert detail(invisible) == "No project named Secret-Pkg."
    assert detail(unknown) == "No project named Nope."
    assert not Token.objects.exists()


def test_restriction_to_public_project_is_allowed(api, outsider, public_project):
    api.force_login(outsider)

    response = _create(api, scopes=["upload"], projects=["open-pkg"])

    assert response.status_code == 201
    assert response.json()["projects"] == ["Open-Pkg"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scopes": []}, "scopes: This list may not be empty."),
        ({"scopes": ["admin"]}, 'scopes.0: "admin" is not a valid choice.'),
        ({"name": "x"}, "scopes: This field is required."),
        (
            {"scopes": ["read"], "expires_in_days": 0},
            "expires_in_days: Ensure this value is greater than or equal to 1.",
        ),
        ({"scopes": ["read"], "organization": "nope"}, "No organization named nope."),
    ],
)
def test_create_rejects_bad_input(api, owner, data, message):
    api.force_login(owner)

    response = _create(api, **data)

    assert response.status_code == 400
    assert detail(response) == message


def test_organization_restriction_needs_membership(api, owner, outsider):
    org = factories.OrganizationFactory(name="Acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="member")
    api.force_login(outsider)
    refused = _create(api, scopes=["read"], organization="acme")
    api.force_login(owner)
    accepted = _create(api, scopes=["read"], organization="acme")

    assert refused.status_code == 400
    assert detail(refused) == "No organization named acme."
    assert accepted.status_code == 201
    assert accepted.json()["organization"] == "Acme"


def test_session_token_create_needs_csrf(owner):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(owner)

    refused = _create(api, scopes=["read"])
    csrf = secrets.token_hex(16)
    api.cookies["csrftoken"] = csrf
    accepted = api.post(
        reverse("api:token-list"), {"scopes": ["read"]}, format="json", HTTP_X_CSRFTOKEN=csrf
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201
    assert Token.objects.count() == 1
