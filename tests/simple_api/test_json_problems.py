"""JSON clients of the simple API get their refusals as RFC 9457 problems (issue 11), where the
standard allows: PEP 691 defines the JSON of the project list and project pages and asks for
a Content-Type on every answer, and leaves error bodies to the server (pip and uv read the
status first). A client that negotiated HTML, or nothing, keeps the plain-text answers; the
statuses and headers are the same either way, and a hidden name is still the unknown one's
404, byte for byte (DESIGN 4, S4.12).
"""

import pytest

from simple_api.responses import NOT_FOUND_BODY
from tests import factories
from tests.simple_api.helpers import basic
from tokens.services import token_issue

pytestmark = pytest.mark.django_db

JSON = "application/vnd.pypi.simple.v1+json"
PIP = f"{JSON}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
PROBLEM = "application/problem+json"


def _fingerprint(response):
    headers = {k: v for k, v in response.headers.items() if k.lower() != "date"}
    return response.status_code, response.content, headers


@pytest.mark.parametrize("accept", [JSON, PIP, "application/vnd.pypi.simple.latest+json"])
def test_a_hidden_project_is_the_json_404_of_an_unknown_one(client, private_project, accept):
    hidden = client.get("/simple/secret-pkg/", HTTP_ACCEPT=accept)
    unknown = client.get("/simple/no-such-pkg/", HTTP_ACCEPT=accept)

    assert hidden.status_code == 404
    assert hidden["Content-Type"] == PROBLEM
    assert hidden.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Not found.",
    }
    assert {"Accept", "Authorization"} <= {v.strip() for v in hidden["Vary"].split(",")}
    assert _fingerprint(hidden) == _fingerprint(unknown)


def test_format_parameter_chooses_the_problem_too(client, private_project):  # S1.36
    response = client.get("/simple/secret-pkg/", {"format": JSON})

    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize("accept", [None, "text/html", "application/vnd.pypi.simple.v1+html"])
def test_html_clients_keep_the_plain_404(client, private_project, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}

    response = client.get("/simple/secret-pkg/", **headers)

    assert response.status_code == 404
    assert response.content == NOT_FOUND_BODY


def test_bad_credentials_are_a_401_problem_with_the_challenge(client, public_project):
    for path in ("/simple/", "/simple/open-pkg/", "/auth/simple/open-pkg/"):
        response = client.get(path, HTTP_ACCEPT=JSON, HTTP_AUTHORIZATION="Bearer nonsense")
        assert response.status_code == 401, path
        assert response["Content-Type"] == PROBLEM
        assert response["WWW-Authenticate"] == 'Basic realm="privindex"'


def test_auth_simple_challenges_anonymous_json_clients_with_a_problem(client, public_project):
    response = client.get("/auth/simple/open-pkg/", HTTP_ACCEPT=JSON)

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == 'Basic realm="privindex"'


def test_a_token_without_read_is_a_403_problem(client, public_project, owner):
    secret = token_issue(user=owner, scopes=["upload"], actor=None).secret

    response = client.get("/simple/open-pkg/", HTTP_ACCEPT=JSON, **basic(secret))

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert "read" in response.json()["detail"]


def test_pages_are_unchanged(client, public_project):
    factories.ReleaseFactory(project=public_project, version="1.0")

    response = client.get("/simple/open-pkg/", HTTP_ACCEPT=JSON)

    assert response.status_code == 200
    assert response["Content-Type"] == f"{JSON}; charset=utf-8"


def test_no_acceptable_type_is_still_a_plain_406(client, public_project):  # S1.35
    response = client.get("/simple/open-pkg/", HTTP_ACCEPT="application/xml")

    assert response.status_code == 406
    assert response["Content-Type"].startswith("text/plain")
