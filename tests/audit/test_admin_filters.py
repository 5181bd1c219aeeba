"""The audit trail in the admin: read-only, filtered by action, actor kind, organization,
project and date, searched by actor, target, address and action; the authentication-failure
counters beside it, read-only too."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.context import origin
from audit.models import AuthFailure, Event
from audit.services import event_record
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:audit_event_changelist")


@pytest.fixture
def trail(owner):
    org = factories.OrganizationFactory(name="acme")
    project = factories.ProjectFactory(name="Org-Pkg", organization=org)
    other = factories.ProjectFactory(name="Alone")
    with origin("203.0.113.50", "curl/8"):
        by_user = event_record("token:issue", actor=owner, target="token:abcdefabcdef")
    on_project = event_record("project:visibility", actor=None, project=project)
    on_other = event_record("project:create", actor=None, project=other)
    with origin("198.51.100.9", ""):
        anonymous = event_record("user:login-failed", actor=None, target="user:mallory")
    Event.objects.filter(pk=on_other.pk).update(created=timezone.now() - dt.timedelta(days=400))
    return {
        "org": org,
        "project": project,
        "by_user": by_user,
        "on_project": on_project,
        "on_other": on_other,
        "anonymous": anonymous,
    }


def listed(admin_client, **params):
    response = admin_client.get(CHANGELIST, params)
    assert response.status_code == 200
    return {event.pk for event in response.context["cl"].result_list}


def test_the_changelist_shows_who_did_what_where(admin_client, trail):
    response = admin_client.get(CHANGELIST)

    content = response.content.decode()
    for column in ("Action", "Actor name", "Actor kind", "Organization", "Project", "Target", "Ip"):
        assert column in content
    assert "token:abcdefabcdef" in content
    assert "203.0.113.50" in content
    for choice in ("By action", "By actor kind", "By organization", "By project", "Past 7 days"):
        assert choice in content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "token:issue"}, {"by_user"}),
        ({"actor_kind__exact": "user"}, {"by_user"}),
        ({"actor_kind__exact": "anonymous"}, {"anonymous"}),
        ({"actor_kind__exact": "system"}, {"on_project", "on_other"}),
        ({"q": "mallory"}, {"anonymous"}),
        ({"q": "203.0.113"}, {"by_user"}),  # part of an address
        ({"q": "owner"}, {"by_user"}),
        ({"q": "project:create"}, {"on_other"}),
    ],
)
def test_filters_and_search(admin_client, trail, params, expected):
    assert listed(admin_client, **params) == {trail[key].pk for key in expected}


def test_filters_by_organization_project_and_date(admin_client, trail):
    by_org = listed(admin_client, organization__id__exact=trail["org"].pk)
    by_project = listed(admin_client, project__id__exact=trail["project"].pk)
    # As the "Past 7 days" choice of the created filter links it.
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    recent = listed(
        admin_client,
        created__gte=str(today - dt.timedelta(days=7)),
        created__lt=str(today + dt.timedelta(days=1)),
    )

    assert by_org == by_project == {trail["on_project"].pk}
    assert trail["on_other"].pk not in recent
    assert trail["by_user"].pk in recent


def test_events_cannot_be_added_changed_or_deleted(admin_client, trail):
    event = trail["by_user"]
    change = reverse("admin:audit_event_change", args=[event.pk])

    assert admin_client.get(reverse("admin:audit_event_add")).status_code == 403
    assert admin_client.get(change).status_code == 200  # viewable
    assert admin_client.post(change, {"action": "forged"}).status_code == 403
    assert (
        admin_client.post(reverse("admin:audit_event_delete", args=[event.pk])).status_code == 403
    )
    assert Event.objects.get(pk=event.pk).action == "token:issue"


def test_authentication_failures_are_listed_read_only(admin_client):
    now = timezone.now()
    failure = AuthFailure.objects.create(
        window=now.replace(minute=0, second=0, microsecond=0),
        ip="198.51.100.77",
        identifier="abcdefabcdef",
        count=12,
        last_seen=now,
    )
    changelist = reverse("admin:audit_authfailure_changelist")

    response = admin_client.get(changelist)
    found = admin_client.get(changelist, {"q": "198.51.100.77"})

    assert response.status_code == 200
    assert b"198.51.100.77" in response.content
    assert list(found.context["cl"].result_list) == [failure]
    assert admin_client.get(reverse("admin:audit_authfailure_add")).status_code == 403
    delete = reverse("admin:audit_authfailure_delete", args=[failure.pk])
    assert admin_client.post(delete).status_code == 403
