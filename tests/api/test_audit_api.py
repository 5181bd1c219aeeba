"""The audit events API (issue 11): ``/api/v1/projects/{name}/events/`` and
``/api/v1/orgs/{name}/events/``.

Who may read which trail is the web pages' rule (a project's managers; an organization's
owners), asked through the API's credential table (a token needs the manage scope); a private
project the caller may not read is the 404 of an unknown name, byte for byte (DESIGN 4). The
filters are the pages' and are validated (every error at once, unknown parameters 400);
pages are paginated; ``?format=csv`` and ``?format=jsonl`` stream every matching event.
"""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from audit.models import Event
from audit.services import event_record
from tests import factories
from tests.api.helpers import detail
from tokens.services import token_issue

pytestmark = pytest.mark.django_db

REALM = 'Basic realm="privindex"'
PRIVATE, PUBLIC, UNKNOWN = "secret-pkg", "open-pkg", "no-such-pkg"


def project_events(name):
    return reverse("api:project-events", args=[name])


def org_events(name):
    return reverse("api:org-events", args=[name])


def events_of(project, count, **fields):
    return [
        event_record(f"test:event-{i}", actor=None, project=project, **fields) for i in range(count)
    ]


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode()


def _sign_in(client, cast, who):
    client.credentials(**cast.sign_in(client, who, how="bearer"))


# --- who may read a project's events -----------------------------------------------------------

# who -> (public, private, unknown): projects:manage through the API.
PROJECT_MATRIX = {
    "anon": (401, 401, 401),
    "outsider": (403, 404, 404),
    "reader": (403, 403, 404),
    "maintainer": (403, 403, 404),
    "owner": (200, 200, 404),
    "staff": (403, 404, 404),  # being staff reads nothing private
    "superuser": (200, 200, 404),
    "read_token": (403, 403, 403),  # no manage scope: decided before any name
    "upload_token": (403, 403, 403),
    # A list: a token needs read too (issue 11), decided before any name is looked up.
    "manage_token": (403, 403, 403),
    "all_scopes_token": (200, 200, 404),
    "outsider_token": (403, 404, 404),
    "token_for_other_project": (403, 403, 403),
    "org_read_token": (403, 403, 403),  # an organization token never manages
    "org_upload_token": (403, 403, 403),
    "revoked_token": (401, 401, 401),
    "expired_token": (401, 401, 401),
    "password": (401, 401, 401),
    "garbage": (401, 401, 401),
}


@pytest.mark.parametrize(
    ("who", "column"), [(who, column) for who in PROJECT_MATRIX for column in range(3)]
)
def test_project_events_matrix(cast, api, private_project, public_project, who, column):
    cast.ensure("reader", "maintainer", "token_for_other_project")
    events_of(private_project, 1)
    events_of(public_project, 1)
    _sign_in(api, cast, who)

    response = api.get(project_events((PUBLIC, PRIVATE, UNKNOWN)[column]))

    assert response.status_code == PROJECT_MATRIX[who][column], response.content
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == REALM
    if response.status_code != 200:
        detail(response)  # an RFC 9457 problem


@pytest.fixture
def org_project(cast):
    return factories.ProjectFactory(name="Org-Pkg", visibility="private", organization=cast.org)


# who -> status on acme's project: its owners and managers manage its projects.
ORG_PROJECT_MATRIX = {
    "org_owner": 200,
    "org_manager": 200,
    "org_member": 403,  # reads it, does not manage it
    "team_maintainer": 403,
    "foreign_org_owner": 404,
    "outsider": 404,
}


@pytest.mark.parametrize(("who", "status"), ORG_PROJECT_MATRIX.items())
def test_an_organizations_project_events_for_its_owners_and_managers(
    cast, api, org_project, who, status
):
    events_of(org_project, 2)
    _sign_in(api, cast, who)

    assert api.get(project_events("org-pkg")).status_code == status


def test_a_hidden_project_is_the_404_of_an_unknown_name(cast, api, private_project):
    for who in ("outsider", "outsider_token", "staff"):
        _sign_in(api, cast, who)
        hidden = api.get(project_events(PRIVATE), {"action": "test:"})
        unknown = api.get(project_events(UNKNOWN), {"action": "test:"})
        assert hidden.status_code == 404
        assert hidden.content == unknown.content
        assert {k: v for k, v in hidden.headers.items() if k != "Date"} == {
            k: v for k, v in unknown.headers.items() if k != "Date"
        }
        api.logout()
        api.credentials()


# --- who may read an organization's events -----------------------------------------------------

# who -> (acme, no such organization): organizations:manage, its owners only.
ORG_MATRIX = {
    "anon": (401, 401),
    "org_owner": (200, 404),
    "org_manager": (403, 404),
    "org_member": (403, 404),
    "team_reader": (403, 404),
    "foreign_org_owner": (404, 404),
    "outsider": (404, 404),
    "staff": (404, 404),
    "superuser": (200, 404),
    "owner": (404, 404),
    "manage_token": (403, 403),  # a list: it needs read too, before any lookup
    "read_token": (403, 403),
    "org_read_token": (403, 403),
    "org_upload_token": (403, 403),
    "token_for_org": (403, 403),
    "revoked_token": (401, 401),
    "garbage": (401, 401),
}


@pytest.mark.parametrize(("who", "column"), [(w, c) for w in ORG_MATRIX for c in range(2)])
def test_organization_events_matrix(cast, api, org_project, who, column):
    events_of(org_project, 1)
    _sign_in(api, cast, who)

    response = api.get(org_events(("acme", "no-such-org")[column]))

    assert response.status_code == ORG_MATRIX[who][column], response.content
    if response.status_code != 200:
        detail(response)


def test_an_org_owners_manage_token_reads_the_log(cast, api, org_project):
    events_of(org_project, 1)
    owner = cast.user("org_owner")
    secret = token_issue(user=owner, scopes=["read", "manage"], actor=owner).secret
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    response = api.get(org_events("acme"))

    assert response.status_code == 200
    assert {row["organization"] for row in response.json()["results"]} == {"acme"}


def test_the_organization_log_holds_its_projects_events(cast, api, org_project):
    events_of(org_project, 3)
    api.force_login(cast.user("org_owner"))

    results = api.get(org_events("acme"), {"action": "test:"}).json()["results"]

    assert [row["action"] for row in results] == ["test:event-2", "test:event-1", "test:event-0"]
    assert {row["project"] for row in results} == {"Org-Pkg"}


# --- pages, filters, exports -------------------------------------------------------------------


def test_a_page_of_events_newest_first_with_links_to_the_next(api, owner, private_project):
    events_of(private_project, 7)
    api.force_login(owner)

    first = api.get(project_events(PRIVATE), {"limit": 3, "action": "test:"}).json()
    second = api.get(first["next"]).json()

    assert first["count"] == 7
    assert [row["action"] for row in first["results"]] == [f"test:event-{i}" for i in (6, 5, 4)]
    assert [row["action"] for row in second["results"]] == [f"test:event-{i}" for i in (3, 2, 1)]
    assert first["previous"] is None
    assert set(first["results"][0]) == {
        "created", "action", "actor_kind", "actor_name", "project", "organization", "target",
        "ip", "user_agent", "data",
    }  # fmt: skip


def test_the_answers_are_private_to_their_reader(api, owner, private_project):
    api.force_login(owner)

    response = api.get(project_events(PRIVATE))

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_filters_narrow_the_events(api, owner, private_project):
    event_record("token:create", actor=owner, project=private_project)
    event_record("token:revoke", actor=owner, project=private_project)
    event_record("release:yank", actor=None, project=private_project)
    old = event_record("release:unyank", actor=owner, project=private_project)
    Event.objects.filter(pk=old.pk).update(created=dt.datetime(2020, 5, 1, 12, tzinfo=dt.UTC))
    api.force_login(owner)

    def actions(**params):
        response = api.get(project_events(PRIVATE), params)
        assert response.status_code == 200, response.content
        return sorted(row["action"] for row in response.json()["results"])

    assert actions(action="token:") == ["token:create", "token:revoke"]
    assert actions(action="token:create") == ["token:create"]
    assert actions(actor="OWN") == ["release:unyank", "token:create", "token:revoke"]
    assert actions(until="2020-05-01") == ["release:unyank"]
    assert actions(since="2020-05-02", action="release:") == ["release:yank"]
    assert actions(since="2020-05-01", until="2020-05-01", actor="owner") == ["release:unyank"]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"since": "yesterday"}, {"since"}),
        ({"until": "2024-13-01"}, {"until"}),
        ({"since": "2024-02-02", "until": "2024-02-01"}, {"until"}),
        ({"format": "xml"}, {"format"}),
        ({"limit": "many"}, {"limit"}),
        ({"offset": "-1"}, {"offset"}),
        ({"actor": "x" * 201}, {"actor"}),
        ({"acter": "owner"}, {"acter"}),  # a typo is not silently ignored
        ({"page": "2"}, {"page"}),
        ({"since": "nope", "until": "nope", "colour": "red"}, {"since", "until", "colour"}),
    ],
)
def test_bad_parameters_are_a_400_with_every_error(api, owner, private_project, params, fields):
    api.force_login(owner)

    response = api.get(project_events(PRIVATE), params)

    assert response.status_code == 400
    detail(response)
    assert {error["field"] for error in response.json()["errors"]} == fields


def test_bad_parameters_are_answered_after_the_credentials(api, private_project):
    assert api.get(project_events(PRIVATE), {"since": "nope"}).status_code == 401


def test_csv_streams_every_matching_event_with_no_formula(api, owner, private_project):
    events_of(private_project, 60)
    event_record("test:inject", actor=None, project=private_project, target="=HYPERLINK(1)")
    api.force_login(owner)

    response = api.get(project_events(PRIVATE), {"format": "csv", "action": "test:"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="secret-pkg-history-')
    rows = list(csv.reader(io.StringIO(streamed(response))))
    assert rows[0][:2] == ["created", "action"]
    assert len(rows) == 62  # the header, and every event: not one page
    assert rows[1][1] == "test:inject" and rows[1][6] == "'=HYPERLINK(1)"


def test_json_lines_streams_one_event_a_line(api, owner, private_project):
    events_of(private_project, 3, size=3)
    api.force_login(owner)

    response = api.get(
        project_events(PRIVATE), {"format": "jsonl", "action": "test:"}, HTTP_ACCEPT="text/csv"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    lines = [json.loads(line) for line in streamed(response).splitlines()]
    assert [line["action"] for line in lines] == ["test:event-2", "test:event-1", "test:event-0"]
    assert lines[0]["data"] == {"size": 3}
    assert lines[0]["project"] == "Secret-Pkg"


def test_an_export_of_an_organization(cast, api, org_project):
    events_of(org_project, 2)
    api.force_login(cast.user("org_owner"))

    response = api.get(org_events("acme"), {"format": "csv", "action": "test:"})

    assert response["Content-Disposition"].startswith('attachment; filename="acme-audit-')
    assert len(list(csv.reader(io.StringIO(streamed(response))))) == 3


def test_an_export_refused_is_a_json_problem(api, private_project):
    response = api.get(project_events(PRIVATE), {"format": "csv"})

    assert response.status_code == 401
    detail(response)


def test_a_project_history_starts_at_its_latest_transfer(api, owner, private_project):
    event_record("test:before", actor=None, project=private_project)
    event_record("project:transfer", actor=owner, project=private_project)
    event_record("test:after", actor=None, project=private_project)
    api.force_login(owner)

    results = api.get(project_events(PRIVATE)).json()["results"]

    assert [row["action"] for row in results] == ["test:after", "project:transfer"]
