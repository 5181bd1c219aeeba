"""The audit trail on the web: ``/project/<name>/history/`` and ``/org/<name>/audit/``.

Who may read which trail (a project's managers; an organization's owners), what everyone else
gets (the project page's answers: one 404 for a private and an unknown name, DESIGN 4; the
login page for whoever is not signed in), and what the pages show: the address and user agent
of the request that did it, 50 events a page, the filters, and every matching event as CSV
(no formula a spreadsheet would run) or JSON Lines.
"""

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.services import organization_member_set
from audit import selectors as audit_selectors
from audit.models import Event
from audit.services import event_record
from tests import factories

pytestmark = pytest.mark.django_db

BROWSER = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": "Mozilla/5.0 (audit test)"}


def history(name):
    return reverse("audit:project-history", args=[name])


def org_log(name):
    return reverse("audit:organization-log", args=[name])


def cache_control(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


def body(response):
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def org_project(cast):
    return factories.ProjectFactory(name="Org-Pkg", visibility="private", organization=cast.org)


def events_of(project, count, **fields):
    return [
        event_record(f"test:event-{i}", actor=None, project=project, **fields) for i in range(count)
    ]


# --- the address and user agent of the request ----------------------------------------------


def test_a_change_made_in_the_browser_shows_its_address_and_user_agent(
    client, owner, private_project
):
    client.force_login(owner)

    changed = client.post(
        reverse("settings:visibility", args=["secret-pkg"]),
        {"to": "public", "confirm_name": "secret-pkg"},
        **BROWSER,
    )
    page = client.get(history("secret-pkg"))

    assert changed.status_code == 302
    event = Event.objects.get(action="project:visibility", project=private_project)
    assert (event.ip, event.user_agent) == ("203.0.113.7", "Mozilla/5.0 (audit test)")
    assert (event.actor_kind, event.actor_name) == ("user", "owner")
    assert page.status_code == 200
    assert [row[0] for row in page.context["rows"]] == [event]
    content = page.content.decode()
    assert "project:visibility" in content
    assert "203.0.113.7" in content
    assert 'title="Mozilla/5.0 (audit test)"' in content
    assert "owner" in content


# --- who may read a project's history -------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "superuser"])
def test_the_project_owner_reads_its_history(client, cast, private_project, who):
    event_record("project:create", actor=cast.user("owner"), project=private_project)
    client.force_login(cast.user(who))

    response = client.get(history("secret-pkg"))

    assert response.status_code == 200
    assert [row[0].action for row in response.context["rows"]] == ["project:create"]
    assert cache_control(response) >= {"private", "no-store"}


@pytest.mark.parametrize("who", ["org_owner", "org_manager", "owner"])
def test_organization_owners_and_managers_read_its_projects_history(client, cast, org_project, who):
    if who == "owner":
        factories.ProjectRoleFactory(project=org_project, user=cast.user("owner"), role="owner")
    event_record("project:create", actor=None, project=org_project)
    client.force_login(cast.user(who))

    response = client.get(history("org-pkg"))

    assert response.status_code == 200
    assert [row[0].action for row in response.context["rows"]] == ["project:create"]


@pytest.mark.parametrize(
    ("who", "project"),
    [
        ("reader", "secret-pkg"),
        ("maintainer", "secret-pkg"),
        ("outsider", "open-pkg"),  # reads the public project, may not manage it
        ("org_member", "org-pkg"),
        ("team_maintainer", "org-pkg"),
    ],
)
def test_who_may_read_but_not_manage_is_refused_with_403(
    client, cast, private_project, public_project, org_project, who, project
):
    user = cast.user(who)
    if who == "team_maintainer":  # maintains the organization's project through a team
        team = factories.TeamFactory(organization=cast.org, name="maintainers")
        factories.TeamMemberFactory(team=team, user=user)
        factories.TeamProjectRoleFactory(project=org_project, team=team, role="maintainer")
    client.force_login(user)

    response = client.get(history(project))

    assert response.status_code == 403
    assert b"allowed to manage" in response.content


@pytest.mark.parametrize("who", ["outsider", "foreign_org_owner", "org_member"])
def test_who_may_not_read_gets_the_project_pages_404_identical_to_an_unknown_name(
    client, cast, private_project, who
):
    client.force_login(cast.user(who))

    private = client.get(history("secret-pkg"))
    unknown = client.get(history("no-such-pkg"))
    project_page = client.get(reverse("web:project", args=["secret-pkg"]))

    assert private.status_code == unknown.status_code == project_page.status_code == 404
    assert private.content == unknown.content == project_page.content
    assert private.headers == unknown.headers
    assert b"secret" not in private.content.lower()


def test_anonymous_callers_are_sent_to_sign_in_whatever_the_name(client, private_project):
    private = client.get(history("secret-pkg"))
    public = client.get(history("open-pkg"))
    unknown = client.get(history("no-such-pkg"))

    assert private.status_code == public.status_code == unknown.status_code == 302
    assert private["Location"] == "/account/login/?next=/project/secret-pkg/history/"
    assert unknown["Location"] == "/account/login/?next=/project/no-such-pkg/history/"


def test_a_token_is_refused_the_page_is_for_a_signed_in_person(client, cast, read_token):
    response = client.get(history("secret-pkg"), **cast.headers("all_scopes_token"))
    unknown = client.get(history("no-such-pkg"), **cast.headers("all_scopes_token"))

    assert response.status_code == unknown.status_code == 403
    assert response.content == unknown.content


def test_bad_credentials_are_a_401_never_anonymous(client, cast, private_project):
    response = client.get(history("secret-pkg"), **cast.headers("unknown_token"))

    assert response.status_code == 401
    assert "WWW-Authenticate" in response


def test_a_name_not_normalized_is_redirected_before_any_lookup(client, owner, private_project):
    client.force_login(owner)

    private = client.get("/project/Secret_Pkg/history/")
    unknown = client.get("/project/No_Such_Pkg/history/")

    assert private.status_code == unknown.status_code == 301
    assert private["Location"] == "/project/secret-pkg/history/"


def test_the_history_is_the_projects_only(client, owner, private_project, other_project):
    mine = event_record("project:create", actor=owner, project=private_project)
    event_record("project:create", actor=owner, project=other_project)
    event_record("user:login", actor=owner)
    client.force_login(owner)

    response = client.get(history("secret-pkg"))

    assert [row[0] for row in response.context["rows"]] == [mine]


# --- who may read an organization's log -----------------------------------------------------


@pytest.mark.parametrize("who", ["org_owner", "superuser"])
def test_organization_owners_read_its_log_with_its_projects_events(
    client, cast, org_project, private_project, who
):
    owner = cast.user("org_owner")
    member = cast.user("org_member")
    organization_member_set(organization=cast.org, user=member, role="manager", actor=owner)
    event_record("project:create", actor=owner, project=org_project)
    event_record("project:create", actor=owner, project=private_project)  # not the org's
    event_record("organization:update", actor=None, organization=cast.other_org)
    client.force_login(cast.user(who))

    response = client.get(org_log("Acme"))

    assert response.status_code == 200
    shown = [(row[0].action, row[0].project) for row in response.context["rows"]]
    assert shown == [("project:create", org_project), ("organization:member-set", None)]
    assert b"<th>Project</th>" in response.content
    assert b"Org-Pkg" in response.content


@pytest.mark.parametrize("who", ["org_manager", "org_member", "team_reader"])
def test_other_members_of_the_organization_are_refused_with_403(client, cast, who):
    client.force_login(cast.user(who))

    response = client.get(org_log("acme"))

    assert response.status_code == 403
    assert b"Only owners of the organization" in response.content


@pytest.mark.parametrize("who", ["outsider", "foreign_org_owner", "staff"])
def test_non_members_get_the_404_of_an_unknown_organization(client, cast, who):
    cast.ensure("org_owner")
    client.force_login(cast.user(who))

    known = client.get(org_log("acme"))
    unknown = client.get(org_log("no-such-org"))

    assert known.status_code == unknown.status_code == 404
    assert known.content == unknown.content
    assert known.headers == unknown.headers


def test_a_deactivated_organizations_log_is_not_found_for_its_owner(client, cast):
    owner = cast.user("org_owner")
    cast.org.is_active = False
    cast.org.save()
    client.force_login(owner)

    assert client.get(org_log("acme")).status_code == 404


def test_anonymous_callers_are_sent_to_sign_in_for_an_organization_log(client, cast):
    cast.ensure("org_owner")

    known = client.get(org_log("acme"))
    unknown = client.get(org_log("nope"))

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == "/account/login/?next=/org/acme/audit/"


def test_an_organization_is_found_by_any_spelling_of_its_name(client, cast):
    client.force_login(cast.user("org_owner"))

    assert client.get(org_log("ACME")).status_code == 200


# --- pages, queries, filters -----------------------------------------------------------------


def test_fifty_events_a_page_newest_first(client, owner, private_project):
    made = events_of(private_project, 120)
    client.force_login(owner)

    first = client.get(history("secret-pkg"))
    third = client.get(history("secret-pkg"), {"page": 3})
    beyond = client.get(history("secret-pkg"), {"page": 99})
    garbage = client.get(history("secret-pkg"), {"page": "x"})

    assert [row[0] for row in first.context["rows"]] == made[::-1][:50]
    assert [row[0] for row in third.context["rows"]] == made[::-1][100:]
    assert beyond.context["page"].number == 3
    assert garbage.context["page"].number == 1
    assert first.context["page"].paginator.count == 120
    assert b'href="?page=2" rel="next"' in first.content


def test_the_page_links_keep_the_filters(client, owner, private_project):
    events_of(private_project, 60)
    client.force_login(owner)

    response = client.get(history("secret-pkg"), {"action": "test:", "since": "2000-01-01"})

    assert b'href="?action=test%3A&amp;since=2000-01-01&amp;page=2"' in response.content
    assert b'href="?action=test%3A&amp;since=2000-01-01&amp;format=csv"' in response.content


def test_a_page_costs_the_same_queries_for_one_event_and_for_fifty(client, cast):
    """No N+1: each row's project and organization come with the page (selectors)."""
    owner = cast.user("org_owner")
    client.force_login(owner)
    projects = [factories.ProjectFactory(name=f"pkg-{i}", organization=cast.org) for i in range(5)]
    event_record("test:first", actor=owner, project=projects[0])

    with CaptureQueriesContext(connection) as one:
        assert client.get(org_log("acme")).status_code == 200
    for i in range(60):
        event_record("test:more", actor=owner, project=projects[i % 5])
    with CaptureQueriesContext(connection) as many:
        response = client.get(org_log("acme"))

    assert len(response.context["rows"]) == 50
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_filters_narrow_by_actor_action_and_days(client, owner, private_project, cast):
    maintainer = cast.user("maintainer")
    at = {
        "a": event_record("token:issue", actor=owner, project=private_project),
        "b": event_record("token:revoke", actor=maintainer, project=private_project),
        "c": event_record("project:visibility", actor=owner, project=private_project),
        "d": event_record("token", actor=owner, project=private_project),
    }
    days = {"a": (2024, 1, 1, 0, 0, 0), "b": (2024, 1, 2, 23, 59, 59), "c": (2024, 1, 3, 0, 0, 0)}
    for key, when in days.items():
        Event.objects.filter(pk=at[key].pk).update(created=dt.datetime(*when, tzinfo=dt.UTC))
    client.force_login(owner)

    def shown(**params):
        response = client.get(history("secret-pkg"), params)
        assert response.status_code == 200
        keys = {event.pk: key for key, event in at.items()}
        return sorted(keys[row[0].pk] for row in response.context["rows"])

    assert shown() == ["a", "b", "c", "d"]
    assert shown(actor="MAINT") == ["b"]
    assert shown(action="token:") == ["a", "b"]  # a family
    assert shown(action="token") == ["d"]  # exactly
    assert shown(since="2024-01-01", until="2024-01-02") == ["a", "b"]  # both days included
    assert shown(since="2024-01-03", until="2024-01-03") == ["c"]
    assert shown(until="2024-01-01") == ["a"]
    assert shown(actor="owner", action="token:") == ["a"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2024-13-01"}, "“since” filter must be a date"),
        ({"until": "yesterday"}, "“until” filter must be a date"),
        ({"since": "2024-02-02", "until": "2024-02-01"}, "must not be after"),
        ({"format": "xml"}, "format must be csv or jsonl"),
    ],
)
def test_a_bad_filter_is_a_400_with_a_clear_message(
    client, owner, private_project, params, message
):
    client.force_login(owner)

    response = client.get(history("secret-pkg"), params)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_last_possible_day_is_a_valid_filter(client, owner, private_project):
    events_of(private_project, 1)
    client.force_login(owner)

    response = client.get(history("secret-pkg"), {"until": "9999-12-31"})

    assert response.status_code == 200
    assert len(response.context["rows"]) == 1


# --- downloads --------------------------------------------------------------------------------


def test_csv_exports_every_matching_event_not_just_the_page(client, owner, private_project):
    events_of(private_project, 60, size=3)
    event_record("other:thing", actor=owner, project=private_project)
    client.force_login(owner)

    response = client.get(history("secret-pkg"), {"format": "csv", "action": "test:"}, **BROWSER)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="secret-pkg-history-{timezone.now():%Y%m%d}.csv"'
    )
    assert cache_control(response) >= {"private", "no-store"}
    rows = list(csv.reader(io.StringIO(body(response))))
    assert rows[0] == [
        "created",
        "action",
        "actor_kind",
        "actor_name",
        "project",
        "organization",
        "target",
        "ip",
        "user_agent",
        "data",
    ]
    assert len(rows) == 61
    assert rows[1][1] == "test:event-59"  # newest first
    assert rows[1][2] == "system"
    assert rows[1][4] == "Secret-Pkg"
    assert rows[1][9] == '{"size":3}'


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1", "-1+1", "@SUM(A1)", "\t=1"])
def test_csv_cells_are_never_formulas(client, owner, private_project, value):
    event_record("test:inject", actor=None, project=private_project, target=value)
    client.force_login(owner)

    response = client.get(history("secret-pkg"), {"format": "csv"})

    rows = list(csv.reader(io.StringIO(body(response))))
    assert rows[1][6] == "'" + value


def test_jsonl_exports_one_event_a_line_with_its_origin(client, owner, private_project):
    client.force_login(owner)
    client.post(
        reverse("settings:visibility", args=["secret-pkg"]),
        {"to": "public", "confirm_name": "secret-pkg"},
        **BROWSER,
    )
    events_of(private_project, 55)

    response = client.get(history("secret-pkg"), {"format": "jsonl"})

    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert response["Content-Disposition"].endswith('.jsonl"')
    assert cache_control(response) >= {"private", "no-store"}
    lines = [json.loads(line) for line in body(response).splitlines()]
    assert len(lines) == 56
    oldest = lines[-1]
    assert oldest["action"] == "project:visibility"
    assert (oldest["actor_kind"], oldest["actor_name"]) == ("user", "owner")
    assert (oldest["ip"], oldest["user_agent"]) == ("203.0.113.7", "Mozilla/5.0 (audit test)")
    assert oldest["project"] == "Secret-Pkg"
    assert oldest["organization"] is None
    assert dt.datetime.fromisoformat(oldest["created"]).tzinfo is not None


def test_the_organization_log_exports_with_its_own_filename(client, cast, org_project):
    event_record("project:create", actor=None, project=org_project)
    client.force_login(cast.user("org_owner"))

    response = client.get(org_log("acme"), {"format": "jsonl"})

    assert response["Content-Disposition"].startswith('attachment; filename="acme-audit-')
    (line,) = [json.loads(line) for line in body(response).splitlines()]
    assert (line["project"], line["organization"]) == ("Org-Pkg", "acme")


def test_a_refused_caller_gets_no_download(client, cast, private_project):
    client.force_login(cast.user("reader"))
    events_of(private_project, 3)

    assert client.get(history("secret-pkg"), {"format": "csv"}).status_code == 403


def test_after_a_transfer_the_new_owner_sees_none_of_the_old_organizations_events(client, db):
    from accounts import services as account_services
    from projects import services as project_services
    from projects.models import Project

    olga = factories.UserFactory(username="olga")
    acme = account_services.organization_create(name="Acme", owner=olga, actor=None)
    project = Project.objects.create(
        name="moved", normalized_name="moved", visibility="private", organization=acme
    )
    project_services.project_visibility_set(project=project, visibility="public", actor=olga)
    project_services.project_transfer(project=project, user=olga, actor=None)

    client.force_login(olga)
    history = client.get(reverse("audit:project-history", args=["moved"]), {"format": "jsonl"})
    body = b"".join(history.streaming_content).decode()
    actions = [json.loads(line)["action"] for line in body.splitlines()]

    assert "project:visibility" not in actions and "project:transfer" in actions
    organization_log = list(
        audit_selectors.organization_events(acme).values_list("action", flat=True)
    )
    assert "project:visibility" in organization_log and "project:transfer-out" in organization_log


def test_a_project_handed_to_another_person_starts_a_new_history(client, db):
    from accounts import services as account_services
    from projects import services as project_services
    from projects.models import Project

    alice = factories.UserFactory(username="alice")
    carol = factories.UserFactory(username="carol")
    acme = account_services.organization_create(name="Acme", owner=alice, actor=None)
    account_services.organization_member_set(
        organization=acme, user=carol, role="owner", actor=None
    )
    project = Project.objects.create(name="mine", normalized_name="mine", visibility="private")
    project_services.project_role_set(project=project, user=alice, role="owner", actor=None)
    project_services.project_visibility_set(project=project, visibility="public", actor=alice)
    project_services.project_transfer(project=project, organization=acme, actor=alice)
    project_services.project_transfer(project=project, user=carol, actor=carol)

    client.force_login(carol)
    history = client.get(reverse("audit:project-history", args=["mine"]), {"format": "jsonl"})
    body = b"".join(history.streaming_content).decode()
    seen = [json.loads(line) for line in body.splitlines()]

    assert [e["action"] for e in seen] == ["project:transfer"]
    assert all(e["actor_name"] != "alice" for e in seen)
