"""REST API projects (api.views.projects): the list, search, detail and PATCH."""

import secrets

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import Event
from tests import factories
from tests.api.helpers import bearer, detail
from tokens.services import token_issue

PRIVATE = "secret-pkg"


def _names(response):
    return [p["name"] for p in response.json()["results"]]


def test_anonymous_list_shows_only_public_projects(api, private_project, public_project):
    response = api.get(reverse("api:project-list"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "name": "Open-Pkg",
            "normalized_name": "open-pkg",
            "visibility": "public",
            "status": "active",
            "organization": None,
            "url": "http://testserver/api/v1/projects/open-pkg/",
        }
    ]


def test_read_token_lists_private_projects_of_its_owner(api, read_token, other_project):
    response = api.get(reverse("api:project-list"), **bearer(read_token))

    assert _names(response) == ["Open-Pkg", "Other-Pkg", "Secret-Pkg"]


def test_restricted_token_lists_only_its_projects_and_public_ones(
    api, token_for_other_project, private_project, public_project
):
    response = api.get(reverse("api:project-list"), **bearer(token_for_other_project))

    assert _names(response) == ["Open-Pkg", "Other-Pkg"]


def test_upload_token_cannot_list_projects(api, upload_token):
    # Without the read scope, as on the project detail and every read surface (S4.11).
    response = api.get(reverse("api:project-list"), **bearer(upload_token))

    assert response.status_code == 403
    assert "'read' scope" in response.json()["detail"]


@pytest.mark.parametrize(("query", "expected"), [("secret", []), ("pkg", ["Open-Pkg"])])
def test_anonymous_search_never_finds_private_projects(
    api, private_project, public_project, query, expected
):
    response = api.get(reverse("api:project-list"), {"q": query})

    assert _names(response) == expected


def test_search_and_pagination(api, reader):
    api.force_login(reader)
    for n in range(5):
        factories.ProjectFactory(name=f"Zeta-{n}", visibility="public")

    page = api.get(reverse("api:project-list"), {"q": "zeta", "limit": 2, "offset": 2}).json()

    assert page["count"] == 5
    assert [p["name"] for p in page["results"]] == ["Zeta-2", "Zeta-3"]
    assert "offset=4" in page["next"]


def test_organization_is_named_in_the_list(api, owner):
    org = factories.OrganizationFactory(name="Acme")
    factories.ProjectFactory(name="Acme-Lib", visibility="public", organization=org)

    response = api.get(reverse("api:project-list"))

    assert response.json()["results"][0]["organization"] == "Acme"


def test_superuser_lists_private_projects(api, private_project, public_project):
    api.force_login(factories.UserFactory(is_superuser=True, is_staff=True))

    assert _names(api.get(reverse("api:project-list"))) == ["Open-Pkg", "Secret-Pkg"]


def _many_projects(user, org, start, count):
    for n in range(start, start + count):
        project = factories.ProjectFactory(
            name=f"Proj-{n}", visibility="private" if n % 2 else "public", organization=org
        )
        factories.ProjectRoleFactory(project=project, user=user, role="reader")


@pytest.mark.parametrize("who", ["session", "token", "anon"])
def test_project_list_query_count_is_constant(db, api, django_assert_max_num_queries, who):
    user = factories.UserFactory()
    org = factories.OrganizationFactory()
    if who == "session":
        api.force_login(user)
    elif who == "token":
        api.credentials(**bearer(token_issue(user=user, scopes=["read"], actor=None).secret))
    _many_projects(user, org, 0, 2)
    with CaptureQueriesContext(connection) as few:
        assert api.get(reverse("api:project-list")).status_code == 200

    _many_projects(user, org, 2, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(reverse("api:project-list"))

    assert response.json()["count"] == (42 if who != "anon" else 21)


# --- project detail and PATCH -----------------------------------------------------------------


def test_detail_summarizes_releases(api, owner, releases):
    api.force_login(owner)

    body = api.get(reverse("api:project-detail", args=["Secret_Pkg"])).json()

    assert body["name"] == "Secret-Pkg"
    assert body["visibility"] == "private"
    assert body["status_reason"] == ""
    assert [(r["version"], r["yanked"]) for r in body["releases"]] == [("1.0", False)]
    assert body["releases"][0]["url"].endswith("/api/v1/projects/secret-pkg/releases/1.0/")


def test_manage_token_flips_visibility_and_simple_index_follows(
    api, client, manage_token, private_project
):
    url = reverse("api:project-detail", args=[PRIVATE])
    assert client.get(f"/simple/{PRIVATE}/").status_code == 404

    response = api.patch(url, {"visibility": "public"}, format="json", **bearer(manage_token))

    assert response.status_code == 200
    assert response.json()["visibility"] == "public"
    assert client.get(f"/simple/{PRIVATE}/").status_code == 200
    event = Event.objects.get(action="project:visibility")
    assert event.token is not None and event.actor.username == "owner"


def test_upload_token_cannot_flip_visibility(api, upload_token, private_project):
    response = api.patch(
        reverse("api:project-detail", args=[PRIVATE]),
        {"visibility": "public"},
        format="json",
        **bearer(upload_token),
    )

    assert response.status_code == 403
    assert detail(response) == "The token does not have the 'manage' scope."
    private_project.refresh_from_db()
    assert private_project.visibility == "private"


def test_session_patch_needs_csrf(owner, private_project):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(owner)
    url = reverse("api:project-detail", args=[PRIVATE])

    refused = api.patch(url, {"visibility": "public"}, format="json")
    csrf = secrets.token_hex(16)
    api.cookies["csrftoken"] = csrf
    accepted = api.patch(url, {"visibility": "public"}, format="json", HTTP_X_CSRFTOKEN=csrf)

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert accepted.status_code == 200
    private_project.refresh_from_db()
    assert private_project.visibility == "public"


def test_session_reads_need_no_csrf(owner, private_project):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(owner)

    assert api.get(reverse("api:project-detail", args=[PRIVATE])).status_code == 200


def test_owner_sets_status_with_reason(api, owner, private_project):
    api.force_login(owner)
    url = reverse("api:project-detail", args=[PRIVATE])

    body = api.patch(url, {"status": "archived", "status_reason": "Moved"}, format="json").json()

    assert (body["status"], body["status_reason"]) == ("archived", "Moved")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"visibility": "secret"}, 'visibility: "secret" is not a valid choice.'),
        ({"status": "gone"}, 'status: "gone" is not a valid choice.'),
        ([1, 2], "Expected a JSON object."),
    ],
)
def test_patch_rejects_bad_values(api, owner, private_project, data, message):
    api.force_login(owner)

    response = api.patch(reverse("api:project-detail", args=[PRIVATE]), data, format="json")

    assert response.status_code == 400
    assert detail(response) == message


def test_quarantine_is_for_staff_only(api, owner, private_project):
    api.force_login(owner)
    url = reverse("api:project-detail", args=[PRIVATE])

    refused = api.patch(url, {"status": "quarantined"}, format="json")
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])
    set_by_staff = api.patch(
        url, {"status": "quarantined", "status_reason": "malware"}, format="json"
    )

    assert refused.status_code == 403
    assert detail(refused) == "Only site administrators may quarantine or release a project."
    assert set_by_staff.status_code == 200
    assert set_by_staff.json()["status"] == "quarantined"


def test_clearing_quarantine_is_for_staff_only(api, owner, private_project, manage_token):
    private_project.status = "quarantined"
    private_project.save(update_fields=["status"])
    url = reverse("api:project-detail", args=[PRIVATE])

    cleared_by_owner = api.patch(url, {"status": "active"}, format="json", **bearer(manage_token))
    reason_by_owner = api.patch(url, {"status_reason": "x"}, format="json", **bearer(manage_token))
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    api.force_login(admin)
    cleared_by_admin = api.patch(url, {"status": "active"}, format="json")

    assert cleared_by_owner.status_code == 403
    assert reason_by_owner.status_code == 403
    assert cleared_by_admin.status_code == 200
    private_project.refresh_from_db()
    assert private_project.status == "active"
