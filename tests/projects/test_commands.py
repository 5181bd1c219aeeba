"""setvisibility, setstatus and yank."""

import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import Event
from tests import factories


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_setvisibility_changes_visibility_and_records_event(private_project):
    out = run("setvisibility", "SECRET_pkg", "public")

    private_project.refresh_from_db()
    assert private_project.visibility == "public"
    event = Event.objects.get(action="project:visibility")
    assert event.project == private_project
    assert event.data == {"previous": "private", "visibility": "public"}
    assert "public" in out


def test_setvisibility_to_current_value_records_nothing(public_project):
    out = run("setvisibility", "open-pkg", "public")

    assert "already public" in out
    assert not Event.objects.filter(action="project:visibility").exists()


def test_setvisibility_unknown_project(db):
    with pytest.raises(CommandError, match="Unknown project 'nope'"):
        run("setvisibility", "nope", "public")


def test_setvisibility_rejects_unknown_value(private_project):
    with pytest.raises(CommandError, match="invalid choice"):
        run("setvisibility", "secret-pkg", "internal")
    private_project.refresh_from_db()
    assert private_project.visibility == "private"


@pytest.mark.parametrize("status", ["archived", "deprecated", "quarantined"])
def test_setstatus_sets_status_and_reason(public_project, status):
    run("setstatus", "Open.Pkg", status, "--reason", "moved to new-pkg")

    public_project.refresh_from_db()
    assert (public_project.status, public_project.status_reason) == (status, "moved to new-pkg")
    event = Event.objects.get(action="project:status")
    assert event.data == {"status": status, "reason": "moved to new-pkg", "previous": "active"}
    assert event.actor is None  # the operator's command, recorded as the system's


def test_setstatus_active_stores_no_reason(public_project):
    public_project.status, public_project.status_reason = "deprecated", "use new-pkg"
    public_project.save()

    run("setstatus", "open-pkg", "active", "--reason", "back again")

    public_project.refresh_from_db()
    assert (public_project.status, public_project.status_reason) == ("active", "")
    data = Event.objects.get(action="project:status").data
    assert {k: data[k] for k in ("status", "reason")} == {"status": "active", "reason": ""}


def test_setstatus_without_reason_keeps_the_reason_of_an_unchanged_status(public_project):
    public_project.status, public_project.status_reason = "deprecated", "use new-pkg"
    public_project.save()

    run("setstatus", "open-pkg", "deprecated")

    public_project.refresh_from_db()
    assert public_project.status_reason == "use new-pkg"


def test_setstatus_refuses_a_reason_longer_than_its_column(public_project):
    with pytest.raises(CommandError, match="limited to 400 characters"):
        run("setstatus", "open-pkg", "archived", "--reason", "x" * 401)
    public_project.refresh_from_db()
    assert public_project.status == "active"


def test_setstatus_rejects_unknown_status(public_project):
    with pytest.raises(CommandError, match="invalid choice"):
        run("setstatus", "open-pkg", "frozen")


def test_yank_and_undo(public_project):
    release = factories.ReleaseFactory(project=public_project, version="1.0")

    run("yank", "open_pkg", "1.0.0", "--reason", "broken wheel")
    release.refresh_from_db()
    assert release.yanked and release.yanked_reason == "broken wheel"

    run("yank", "open-pkg", "1.0", "--undo")
    release.refresh_from_db()
    assert not release.yanked and release.yanked_reason == ""
    actions = list(Event.objects.order_by("created", "id").values_list("action", flat=True))
    assert actions == ["release:yank", "release:unyank"]
    assert not Event.objects.filter(actor__isnull=False).exists()  # the system's


def test_yank_unknown_release(public_project):
    with pytest.raises(CommandError, match=r"no release '9\.9'"):
        run("yank", "open-pkg", "9.9")


def test_yank_unknown_project(db):
    with pytest.raises(CommandError, match="Unknown project"):
        run("yank", "nope", "1.0")


def test_yank_undo_with_reason_is_an_error(public_project):
    factories.ReleaseFactory(project=public_project, version="1.0")
    with pytest.raises(CommandError, match="--undo"):
        run("yank", "open-pkg", "1.0", "--undo", "--reason", "x")
