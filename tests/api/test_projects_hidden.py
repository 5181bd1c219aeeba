"""The hidden-project identity (DESIGN 4, S4.12; issue 11): on every /api/v1/projects/{name}/…
route and every method, a private project the caller may not read answers exactly as a name
that does not exist: status, reason, headers (but Date) and body, byte for byte.

The routes are read from the URLconf, so a route added later is walked too. A write sends a
body that is not even JSON: the answer must come from ``access`` before any body is read.
"""

import re

import pytest
from django.urls import URLPattern

from api.urls import urlpatterns
from tests import factories

PREFIX = "projects/<str:name>/"
METHODS = ("get", "head", "options", "post", "put", "patch", "delete")
WRITES = {"post", "put", "patch", "delete"}
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
HIDDEN, UNKNOWN = "Secret-Pkg", "Ghost-Pkg"
WHEEL = "secret_pkg-1.0-py3-none-any.whl"


def _routes() -> list[str]:
    routes = [
        str(p.pattern)
        for p in urlpatterns
        if isinstance(p, URLPattern) and str(p.pattern).startswith(PREFIX)
    ]
    assert len(routes) >= 10, routes  # every resource of a project, events included
    return routes


def _path(route: str, name: str, team_id: int) -> str:
    values = {"name": name, "version": "1.0", "filename": WHEEL, "username": "owner"}
    values["team_id"] = str(team_id)
    return "/api/v1/" + PARAMETER.sub(lambda m: values[m.group(1)], route)


@pytest.fixture
def hidden(cast, private_project, public_project):
    """Secret-Pkg of acme, private, with release 1.0, its wheel, a team role and a yank:
    everything each route could find, so the answer cannot come from a missing part."""
    private_project.organization = cast.org
    private_project.save(update_fields=["organization"])
    release = factories.ReleaseFactory(project=private_project, version="1.0", yanked=True)
    factories.FileFactory(release=release, filename=WHEEL)
    team = factories.TeamFactory(organization=cast.org, name="devs")
    factories.TeamProjectRoleFactory(project=private_project, team=team, role="maintainer")
    return team


def _fingerprint(response):
    headers = {k: v for k, v in response.headers.items() if k.lower() != "date"}
    return response.status_code, response.reason_phrase, response.content, headers


# Who may not read Secret-Pkg: anonymous callers, people and tokens with no role on it, tokens
# kept elsewhere, organization tokens of acme's rival, and site staff (staff read nothing
# private).
CALLERS = [
    "anon",
    "outsider",
    "staff",
    "outsider_token",
    "token_for_other_project",
    "token_for_other_org",
    "foreign_org_owner",
]


@pytest.mark.parametrize("who", CALLERS)
def test_every_route_and_method_answers_a_hidden_project_as_an_unknown_name(
    cast, client, hidden, who
):
    headers = cast.sign_in(client, who)
    walked = 0
    for route in _routes():
        for method in METHODS:
            answers = []
            for name in (HIDDEN, UNKNOWN):
                path = _path(route, name, hidden.pk)
                extra = {"data": b'{"not json', "content_type": "application/json"}
                response = getattr(client, method)(path, **(extra if method in WRITES else {}),
                                                   **headers)  # fmt: skip
                answers.append(_fingerprint(response))
            walked += 1
            assert answers[0] == answers[1], (who, method, route, answers[0][2], answers[1][2])
            status = answers[0][0]
            assert status in (200, 401, 403, 404, 405), (who, method, route, answers[0][2])
            if status == 200:
                assert method == "options", (who, method, route)  # the view's description
    assert walked == len(_routes()) * len(METHODS)


@pytest.mark.parametrize("who", ["outsider", "outsider_token"])
def test_the_hidden_answer_is_the_plain_404(cast, client, hidden, who):
    headers = cast.sign_in(client, who)

    for route in _routes():
        offered = 0
        for method in ("get", "post", "patch", "delete"):
            response = getattr(client, method)(_path(route, HIDDEN, hidden.pk), **headers)
            if response.status_code == 405:
                continue  # the route offers no such method, whatever the name
            offered += 1
            assert response.status_code == 404, (route, method)
            assert response.json()["detail"] == "Not found.", (route, method)
        assert offered, route


@pytest.mark.parametrize("spelling", ["secret_pkg", "SECRET.PKG", "Secret-Pkg"])
def test_any_spelling_of_a_hidden_name_is_the_unknown_names_404(cast, client, hidden, spelling):
    cast.sign_in(client, "outsider")

    hidden_answer = client.patch(
        f"/api/v1/projects/{spelling}/", {"visibility": "public"}, content_type="application/json"
    )
    unknown_answer = client.patch(
        "/api/v1/projects/ghost_pkg/", {"visibility": "public"}, content_type="application/json"
    )

    assert _fingerprint(hidden_answer) == _fingerprint(unknown_answer)
    assert hidden_answer.status_code == 404
