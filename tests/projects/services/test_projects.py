"""Visibility, status and size limits: who acts is always said, the status reason means one
thing whoever sets it, and each change is an event."""

import pytest

from access import Principal
from audit.models import Event
from projects import services
from tests import factories
from tokens.services import token_issue

pytestmark = pytest.mark.django_db


# Each service that a request or an administrator may call, with what it needs besides who.
CALLS = {
    "project_visibility_set": lambda p, who: services.project_visibility_set(
        project=p, visibility="public", **who
    ),
    "project_status_set": lambda p, who: services.project_status_set(
        project=p, status="archived", **who
    ),
    "release_yank_set": lambda p, who: services.release_yank_set(
        release=factories.ReleaseFactory(project=p, version="1.0"), yanked=True, **who
    ),
    "project_role_set": lambda p, who: services.project_role_set(
        project=p, user=factories.UserFactory(), role="reader", **who
    ),
    "project_role_remove": lambda p, who: services.project_role_remove(
        project=p, user=p.roles.get().user, **who
    ),
}


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("both", [False, True], ids=["neither", "both"])
def test_a_service_refuses_a_call_that_does_not_say_who_acts_once(
    private_project, owner, call, both
):
    who = {"principal": Principal(user=owner), "actor": owner} if both else {}
    events = Event.objects.count()

    with pytest.raises(TypeError, match="Say who acts"):
        CALLS[call](private_project, who)

    assert Event.objects.count() == events


def test_a_principal_is_recorded_with_its_token(private_project, owner):
    issued = token_issue(user=owner, scopes=["manage"], actor=owner)

    services.project_visibility_set(
        project=private_project, visibility="public", principal=Principal(token=issued.token)
    )

    event = Event.objects.get(action="project:visibility")
    assert (event.actor, event.token) == (owner, issued.token)


def test_actor_none_is_recorded_as_the_system(private_project):
    services.project_visibility_set(project=private_project, visibility="public", actor=None)

    event = Event.objects.get(action="project:visibility")
    assert (event.actor, event.token) == (None, None)


# What a status reason means (access.status_reason_for), applied by the service itself.


@pytest.mark.parametrize("by", ["actor", "principal"])
def test_an_active_project_stores_no_reason_whoever_sets_it(private_project, owner, by):
    private_project.status, private_project.status_reason = "deprecated", "use new-pkg"
    private_project.save()
    who = {"actor": owner} if by == "actor" else {"principal": Principal(user=owner)}

    services.project_status_set(project=private_project, status="active", reason="back", **who)

    private_project.refresh_from_db()
    assert (private_project.status, private_project.status_reason) == ("active", "")
    data = Event.objects.get(action="project:status").data
    assert {k: data[k] for k in ("status", "reason")} == {"status": "active", "reason": ""}


@pytest.mark.parametrize(
    ("status", "kept"), [("deprecated", "use new-pkg"), ("archived", "")], ids=["same", "new"]
)
def test_no_reason_keeps_an_unchanged_status_reason_only(private_project, status, kept):
    private_project.status, private_project.status_reason = "deprecated", "use new-pkg"
    private_project.save()

    services.project_status_set(project=private_project, status=status, actor=None)

    private_project.refresh_from_db()
    assert private_project.status_reason == kept


def test_a_reason_longer_than_its_column_is_refused(private_project):
    with pytest.raises(services.ServiceError, match="limited to 400 characters"):
        services.project_status_set(
            project=private_project, status="archived", reason="x" * 401, actor=None
        )
    private_project.refresh_from_db()
    assert private_project.status == "active"


# Size limits (S3.12)


def test_project_limits_set_records_what_changed(private_project, owner):
    services.project_limits_set(
        project=private_project, upload_limit=2**30, total_size_limit=None, actor=owner
    )

    private_project.refresh_from_db()
    assert (private_project.upload_limit, private_project.total_size_limit) == (2**30, None)
    event = Event.objects.get(action="project:limits")
    assert (event.actor, event.project) == (owner, private_project)
    assert event.data == {"previous": {"upload_limit": None}, "current": {"upload_limit": 2**30}}


def test_project_limits_set_without_a_change_records_nothing(private_project):
    services.project_limits_set(
        project=private_project, upload_limit=None, total_size_limit=None, actor=None
    )
    assert not Event.objects.filter(action="project:limits").exists()


@pytest.mark.parametrize("field", ["upload_limit", "total_size_limit"])
@pytest.mark.parametrize("value", [0, -1])
def test_project_limits_set_refuses_a_limit_under_one_byte(private_project, field, value):
    limits = {"upload_limit": None, "total_size_limit": None, field: value}

    with pytest.raises(services.ServiceError, match="at least 1 byte"):
        services.project_limits_set(project=private_project, actor=None, **limits)

    private_project.refresh_from_db()
    assert getattr(private_project, field) is None
    assert not Event.objects.filter(action="project:limits").exists()
