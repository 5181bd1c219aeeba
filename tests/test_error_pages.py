"""The answers to errors raised outside our views (privindex.errors, issue 10): styled pages
with the site's top bar on the web UI, JSON under /api/, plain text on the tool surfaces, and
a 500 page that reads neither the database nor the session.

This module is also the URLconf of the tests marked ``urls``: the site's routes, the site's
handlers, and views that raise.
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import path
from django.utils.functional import SimpleLazyObject

from privindex import errors
from privindex import urls as site_urls
from tests import factories
from tests.api.helpers import detail
from tests.test_security_headers import collected_static  # noqa: F401  (autouse: collectstatic)


def _raise(exception):
    def view(request):
        raise exception

    return view


urlpatterns = [
    *(
        path(f"{prefix}boom/{code}/", _raise(exception))
        for prefix in ("", "api/v1/", "simple/")
        for code, exception in (
            ("400", SuspiciousOperation("a hostile request")),
            ("400b", BadRequest("bad")),
            ("403", PermissionDenied("internal reason")),
            ("404", Http404("internal reason")),
            ("500", RuntimeError("the view failed")),
        )
    ),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500

URLS = pytest.mark.urls(__name__)
HEADER = b'<a class="brand" href="/">privindex</a>'


@pytest.fixture
def failing_client():
    """A client that gets the 500 answer instead of the view's exception."""
    return Client(raise_request_exception=False)


def assert_styled(response, status, *texts):
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert HEADER in response.content  # the site's top bar: base.html
    assert b"/static/privindex" in response.content  # and its stylesheet
    for text in texts:
        assert text.encode() in response.content


# --- the web UI ----------------------------------------------------------------------------


@URLS
@pytest.mark.parametrize("code", ["400", "400b"])
def test_bad_request_is_the_styled_page(client, db, code):
    response = client.get(f"/boom/{code}/")
    assert_styled(response, 400, "Bad request", "Error 400")
    assert b"hostile" not in response.content


@URLS
def test_permission_denied_is_the_styled_page_without_the_reason(client, db):
    response = client.get("/boom/403/")
    assert_styled(response, 403, "Not allowed", "Error 403")
    assert b"internal reason" not in response.content


@URLS
def test_http404_raised_by_a_view_is_the_one_not_found_page(client, db, private_project):
    response = client.get("/boom/404/")
    assert response.status_code == 404
    assert response.content == client.get(f"/project/{private_project.normalized_name}/").content


def test_an_unknown_route_is_the_same_404_as_a_private_project(client, private_project):
    unknown = client.get("/no/such/page/")
    private = client.get(f"/project/{private_project.normalized_name}/")
    assert unknown.status_code == private.status_code == 404
    assert unknown.content == private.content
    assert_styled(unknown, 404, "Not found")


def test_an_unknown_route_signed_in_is_the_same_404_as_a_private_project(client, db):
    project = factories.ProjectFactory(name="Hidden", visibility="private")
    client.force_login(factories.UserFactory(username="stranger"))
    unknown = client.get("/project/hidden/settings/nothing/")
    private = client.get(f"/project/{project.normalized_name}/")
    assert unknown.status_code == private.status_code == 404
    assert unknown.content == private.content
    assert b"stranger" in unknown.content  # a request context: the top bar knows the user


@URLS
def test_server_error_is_the_styled_page(failing_client, db):
    response = failing_client.get("/boom/500/")
    assert_styled(response, 500, "Something went wrong", "Error 500")
    assert b"the view failed" not in response.content
    assert b"Traceback" not in response.content


@URLS
def test_server_error_reads_no_session_and_no_user(failing_client, db):
    failing_client.force_login(factories.UserFactory(username="somebody", is_staff=True))
    response = failing_client.get("/boom/500/")
    assert_styled(response, 500, "Something went wrong")
    # Rendered without a request: no account links, no name, no CSRF token.
    assert b"somebody" not in response.content
    assert b"csrfmiddlewaretoken" not in response.content
    assert b"Log in" not in response.content


def test_server_error_renders_with_the_database_blocked(django_db_blocker):
    request = RequestFactory().get("/anything/")

    def explode():
        raise AssertionError("the 500 page touched the user")

    request.user = SimpleLazyObject(explode)
    request.session = SimpleLazyObject(explode)
    with django_db_blocker.block():
        response = errors.server_error(request)
    assert response.status_code == 500
    assert HEADER in response.content


def test_server_error_falls_back_to_plain_html_when_the_template_fails(monkeypatch, caplog):
    def broken(name):
        raise RuntimeError("no templates today")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = errors.server_error(RequestFactory().get("/anything/"))
    assert response.status_code == 500
    assert response.content == errors.FALLBACK_500
    assert "the 500 page could not be rendered" in caplog.text


def test_too_many_form_fields_is_the_styled_400(client, db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client.post("/account/login/", {f"f{i}": "x" for i in range(10)})
    assert_styled(response, 400, "Bad request")


def test_a_disallowed_host_is_the_styled_400(client, db, settings):
    settings.ALLOWED_HOSTS = ["index.example"]
    response = client.get("/", HTTP_HOST="evil.example")
    assert_styled(response, 400, "Bad request")
    assert b"evil.example" not in response.content


def test_the_admin_refusing_a_staff_user_is_the_styled_403(client, db):
    staff = factories.UserFactory(username="clerk", is_staff=True)
    client.force_login(staff)
    response = client.get("/admin/accounts/user/")
    assert_styled(response, 403, "Not allowed")
    assert b"clerk" in response.content  # rendered with the request: the top bar knows them
    # ...and with the permission the same page renders.
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    assert client.get("/admin/accounts/user/").status_code == 200


# --- CSRF failures -------------------------------------------------------------------------


def test_a_form_posted_without_its_csrf_token_gets_the_styled_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/account/login/", {"login": "x", "password": "y"})
    assert_styled(response, 403, "This form could not be sent", "reload the page")


def test_a_signed_in_csrf_failure_keeps_the_top_bar(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.UserFactory(username="maintainer"))
    response = client.post("/account/logout/")
    assert_styled(response, 403, "This form could not be sent")
    assert b"maintainer" in response.content
    assert b"CSRF cookie not set" not in response.content  # Django's reason stays in the log


def test_a_csrf_failure_on_a_tool_surface_is_plain_text(db):
    response = Client(enforce_csrf_checks=True).post("/simple/")
    assert response.status_code == 403
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"CSRF verification failed.\n"


# --- the REST API and the tool surfaces keep their own languages ---------------------------


def test_an_unknown_api_route_answers_json(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert detail(response)  # an RFC 9457 problem == "Not found."


@URLS
@pytest.mark.parametrize(
    ("code", "status"), [("400", 400), ("400b", 400), ("403", 403), ("404", 404), ("500", 500)]
)
def test_errors_under_the_api_answer_json(failing_client, db, code, status):
    response = failing_client.get(f"/api/v1/boom/{code}/")
    assert response.status_code == status
    assert detail(response)  # an RFC 9457 problem
    assert b"internal reason" not in response.content
    assert b"the view failed" not in response.content


def test_an_unknown_simple_route_is_the_simple_404(client, db):
    unknown_route = client.get("/simple/a/b/")
    unknown_name = client.get("/simple/no-such-project/")
    assert unknown_route.status_code == unknown_name.status_code == 404
    assert unknown_route.content == unknown_name.content == b"404 Not Found\n"
    assert unknown_route["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("path", ["/files/a/b/", "/namespace/x/y", "/legacy/x"])
def test_unknown_tool_routes_answer_plain_text(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.content == b"404 Not Found\n"


def test_an_unknown_json_api_route_is_the_json_api_404(client, db):
    """The JSON API answers problems (issue 11): its unknown routes too, byte for byte."""
    unknown_route = client.get("/pypi/x/y/z/json")
    unknown_name = client.get("/pypi/no-such-project/json")
    assert unknown_route.status_code == unknown_name.status_code == 404
    assert unknown_route.content == unknown_name.content
    assert unknown_route["Content-Type"] == "application/problem+json"


@URLS
@pytest.mark.parametrize(("code", "status"), [("400", 400), ("403", 403), ("500", 500)])
def test_errors_under_simple_answer_plain_text(failing_client, db, code, status):
    response = failing_client.get(f"/simple/boom/{code}/")
    assert response.status_code == status
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"<" not in response.content
    assert b"internal reason" not in response.content
