"""REST API projects (api.views.projects): the list (filters, search, pages), detail, PATCH."""

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
REALM = 'Basic realm="privindex"'


def _names(response):
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()["results"]]


def test_anonymous_list_is_challenged(api, private_project, public_project):
    # Issue 11: every list is for signed-in callers, public projects' included.
    response = api.get(reverse("api:project-list"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == REALM
    assert detail(response) == "Authentication required."


def test_outsider_lists_only_public_projects(api, outsider, private_project, public_project):
    api.force_login(outsider)

    response = api.get(reverse("api:project-list"))

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "name": "Open-Pkg",
                "normalized_name": "open-pkg",
                "visibility": "public",
                "status": "active",
                "organization": None,
                "url": "http://testserver/api/v1/projects/open-pkg/",
            }
        ],
    }


def test_read_token_lists_private_projects_of_its_owner(api, read_token, other_project):
    response = api.get(reverse("api:project-list"), **bearer(read_token))

    assert _names(response) == ["Open-Pkg", "Other-Pkg", "Secret-Pkg"]


def test_restricted_token_lists_only_its_projects_and_public_ones(
    api, token_for_other_project, private_project, public_project
):
    response = api.get(reverse("api:project-list"), **bearer(token_for_other_project))

    assert _names(response) == ["Open-Pkg", "Other-Pkg"]


@pytest.mark.parametrize("token", ["upload_token", "manage_token"])
def test_a_token_without_read_cannot_list_projects(request, api, token):
    # Without the read scope, as on the project detail and every read surface (S4.11).
    response = api.get(reverse("api:project-list"), **bearer(request.getfixturevalue(token)))

    assert response.status_code == 403
    assert detail(response) == "The token does not have the 'read' scope."


@pytest.mark.parametrize(("query", "expected"), [("secret", []), ("pkg", ["Open-Pkg"])])
def test_search_never_finds_projects_the_caller_may_not_read(
    api, outsider, private_project, public_project, query, expected
):
    api.force_login(outsider)

    assert _names(api.get(reverse("api:project-list"), {"q": query})) == expected


def test_search_and_pagination(api, reader):
    api.force_login(reader)
    for n in range(5):
        factories.ProjectFactory(name=f"Zeta-{n}", visibility="public")

    page = api.get(reverse("api:project-list"), {"q": "zeta", "limit": 2, "offset": 2}).json()

    assert page["count"] == 5
    assert [p["name"] for p in page["results"]] == ["Zeta-2", "Zeta-3"]
    assert "offset=4" in page["next"] and "q=zeta" in page["next"]
    assert "offset" not in page["previous"] or "offset=0" in page["previous"]


@pytest.fixture
def catalogue(owner):
    """Acme's private Acme-Lib and public Acme-Docs, an archived personal project, and the
    standard pair; all of them the owner's to read."""
    org = factories.OrganizationFactory(name="Acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    factories.ProjectFactory(name="Acme-Lib", visibility="private", organization=org)
    factories.ProjectFactory(name="Acme-Docs", visibility="public", organization=org)
    old = factories.ProjectFactory(name="Old-Tool", visibility="public", status="archived")
    factories.ProjectRoleFactory(project=old, user=owner)
    return org


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"organization": "acme"}, ["Acme-Docs", "Acme-Lib"]),
        ({"organization": "ACME"}, ["Acme-Docs", "Acme-Lib"]),  # any spelling
        ({"organization": "globex"}, []),
        ({"visibility": "public"}, ["Acme-Docs", "Old-Tool", "Open-Pkg"]),
        ({"visibility": "private"}, ["Acme-Lib", "Secret-Pkg"]),
        ({"status": "archived"}, ["Old-Tool"]),
        ({"organization": "acme", "visibility": "public"}, ["Acme-Docs"]),
        ({"q": "acme", "visibility": "private"}, ["Acme-Lib"]),
    ],
)
def test_filters_narrow_the_list(
    api, owner, private_project, public_project, catalogue, filters, expected
):
    api.force_login(owner)

    assert _names(api.get(reverse("api:project-list"), filters)) == expected


def test_filters_never_reach_past_what_the_caller_may_read(api, outsider, catalogue):
    api.force_login(outsider)

    assert _names(api.get(reverse("api:project-list"), {"organization": "acme"})) == ["Acme-Docs"]
    assert _names(api.get(reverse("api:project-list"), {"visibility": "private"})) == []


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"visibilty": "public"}, {"visibilty": "Unknown field."}),
        ({"page": "2"}, {"page": "Unknown field."}),
        ({"visibility": "secret"}, {"visibility": '"secret" is not a valid choice.'}),
        ({"status": "gone"}, {"status": '"gone" is not a valid choice.'}),
        ({"limit": "0"}, {"limit": "Ensure this value is greater than or equal to 1."}),
        ({"limit": "501"}, {"limit": "Ensure this value is less than or equal to 500."}),
        ({"limit": "ten"}, {"limit": "A valid integer is required."}),
        ({"offset": "-1"}, {"offset": "Ensure this value is greater than or equal to 0."}),
        (
            {"offset": "9" * 30},
            {"offset": "Ensure this value is less than or equal to 2147483647."},
        ),
        ({"q": "x" * 201}, {"q": "Ensure this field has no more than 200 characters."}),
        (
            {"organization": "o" * 5000, "colour": "red"},
            {
                "organization": "Ensure this field has no more than 100 characters.",
                "colour": "Unknown field.",
            },
        ),
    ],
)
def test_unknown_or_bad_filters_are_400_with_every_error(api, reader, query, errors):
    api.force_login(reader)

    response = api.get(reverse("api:project-list"), query)

    assert response.status_code == 400
    detail(response)
    assert {e["field"]: e["message"] for e in response.json()["errors"]} == errors


def test_the_deepest_page_is_empty_not_an_error(api, reader):
    api.force_login(reader)

    response = api.get(reverse("api:project-list"), {"offset": 2**31 - 1})

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_organization_is_named_in_the_list(api, outsider):
    org = factories.OrganizationFactory(name="Acme")
    factories.ProjectFactory(name="Acme-Lib", visibility="public", organization=org)
    api.force_login(outsider)

    assert api.get(reverse("api:project-list")).json()["results"][0]["organization"] == "Acme"


def test_superuser_lists_private_projects(api, private_project, public_project):
    api.force_login(factories.UserFactory(is_superuser=True, is_staff=True))

    assert _names(api.get(reverse("api:project-list"))) == ["Open-Pkg", "Secret-Pkg"]


def _many_projects(user, org, start, count):
    for n in range(start, start + count):
        project = factories.ProjectFactory(
            name=f"Proj-{n}", visibility="private" if n % 2 else "public", organization=org
        )
        factories.ProjectRoleFactory(project=project, user=user, role="reader")


@pytest.mark.parametrize("who", ["session", "token"])
def test_project_list_query_count_is_constant(db, api, django_assert_max_num_queries, who):
    user = factories.UserFactory()
    org = factories.OrganizationFactory()
    if who == "session":
        api.force_login(user)
    else:
        api.credentials(**bearer(token_issue(user=user, scopes=["read"], actor=None).secret))
    _many_projects(user, org, 0, 2)
    with CaptureQueriesContext(connection) as few:
        assert api.get(reverse("api:project-list")).status_code == 200

    _many_projects(user, org, 2, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(reverse("api:project-list"))

    assert response.json()["count"] == 42


# --- project detail and PATCH -----------------------------------------------------------------


def test_detail_links_its_releases(api, owner, releases):
    api.force_login(owner)

    body = api.get(reverse("api:project-detail", args=["Secret_Pkg"])).json()

    assert body["name"] == "Secret-Pkg"
    assert body["visibility"] == "private"
    assert body["status_reason"] == ""
    assert body["releases_url"] == "http://testserver/api/v1/projects/secret-pkg/releases/"
    assert "releases" not in body  # a list, a page at a time, at releases_url


def test_anonymous_reads_a_public_project(api, public_project):
    assert api.get(reverse("api:project-detail", args=["open-pkg"])).status_code == 200


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

    assert body == {
        "name": "Secret-Pkg",
        "visibility": "private",
        "status": "archived",
        "status_reason": "Moved",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"visibility": "secret"}, 'visibility: "secret" is not a valid choice.'),
        ({"status": "gone"}, 'status: "gone" is not a valid choice.'),
        (
            {"status_reason": "x" * 401},
            "status_reason: Ensure this field has no more than 400 characters.",
        ),
        ([1, 2], "Expected a JSON object."),
    ],
)
def test_patch_rejects_bad_values(api, owner, private_project, data, message):
    api.force_login(owner)

    response = api.patch(reverse("api:project-detail", args=[PRIVATE]), data, format="json")

    assert response.status_code == 400
    assert detail(response) == message


@pytest.mark.parametrize(
    "body",
    [
        b'{"status_reason": "\\ud800"}',
        b'{"status_reason": "a\\u0000b"}',
        b'{"\\ud800": 1}',
        b'{"visibility": "\\udfff"}',
    ],
)
def test_patch_refuses_text_postgresql_cannot_store(api, owner, private_project, body):
    api.force_login(owner)

    response = api.generic(
        "PATCH", reverse("api:project-detail", args=[PRIVATE]), body,
        content_type="application/json",
    )  # fmt: skip

    assert response.status_code == 400
    assert detail(response)


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
