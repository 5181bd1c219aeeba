"""The Django admin: every page renders, changes go through services, secrets never show."""

import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core import serializers
from django.urls import reverse

from accounts.models import User
from audit.models import Event
from tests import factories
from tokens.models import Token
from tokens.services import token_authenticate, token_issue

TOKEN_RE = re.compile(r"pvi_[a-z2-7]{12}_[0-9A-Za-z]{40}")


class FileFactory(factories.FileFactory):
    # tests.factories.FileFactory lacks this, and factory_boy then warns (an error here).
    class Meta:
        skip_postgeneration_save = True


@pytest.fixture
def world(owner, private_project):
    org = factories.OrganizationFactory(name="Acme")
    member = factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    team = factories.TeamFactory(organization=org, name="devs")
    factories.TeamMemberFactory(team=team, user=owner)
    factories.TeamProjectRoleFactory(project=private_project, team=team, role="reader")
    release = factories.ReleaseFactory(project=private_project, version="1.0")
    file = FileFactory(release=release)
    issued = token_issue(
        user=owner, scopes=["read"], name="ci", projects=[private_project], actor=None
    )
    return SimpleNamespace(
        user=owner,
        organization=org,
        member=member,
        team=team,
        project=private_project,
        release=release,
        file=file,
        token=issued.token,
        secret=issued.secret,
        event=Event.objects.get(action="token:issue"),
    )


MODELS = {
    "accounts_user": "user",
    "accounts_organization": "organization",
    "accounts_team": "team",
    "projects_project": "project",
    "projects_release": "release",
    "projects_file": "file",
    "audit_event": "event",
    "tokens_token": "token",
}


def admin_url(label, name, *args):
    return reverse(f"admin:{label}_{name}", args=args)


def form_data(response):
    """The POST body that resubmits a change form unchanged, inlines included."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def dump_database() -> str:
    return "".join(
        serializers.serialize("json", model._default_manager.all()) for model in apps.get_models()
    )


@pytest.mark.parametrize("label", MODELS)
def test_changelist_renders(admin_client, world, label):
    response = admin_client.get(admin_url(label, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(("label", "attribute"), MODELS.items())
def test_change_form_renders(admin_client, world, label, attribute):
    obj = getattr(world, attribute)
    response = admin_client.get(admin_url(label, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "label", ["accounts_user", "accounts_organization", "accounts_team", "tokens_token"]
)
def test_add_form_renders(admin_client, world, label):
    assert admin_client.get(admin_url(label, "add")).status_code == 200


@pytest.mark.parametrize(
    "label", ["projects_project", "projects_release", "projects_file", "audit_event"]
)
def test_no_add_by_hand(admin_client, world, label):
    assert admin_client.get(admin_url(label, "add")).status_code == 403


@pytest.mark.parametrize(
    ("label", "attribute"),
    [
        # Projects, releases and files are deleted through projects.services.deletion:
        # tests/projects/services/test_deletion.py.
        ("audit_event", "event"),
        ("tokens_token", "token"),
    ],
)
def test_no_delete_by_hand(admin_client, world, label, attribute):
    obj = getattr(world, attribute)
    assert admin_client.get(admin_url(label, "delete", obj.pk)).status_code == 403


def test_event_cannot_be_changed(admin_client, world):
    url = admin_url("audit_event", "change", world.event.pk)
    response = admin_client.post(url, {"action": "forged", "data": "{}"})
    assert response.status_code == 403
    world.event.refresh_from_db()
    assert world.event.action == "token:issue"


def test_event_list_filters_by_action(admin_client, world):
    response = admin_client.get(admin_url("audit_event", "changelist"), {"action": "token:issue"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [world.event]


def test_admin_requires_staff(client, outsider):
    client.force_login(outsider)
    response = client.get(admin_url("tokens_token", "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_adds_user_with_email(admin_client, db):
    response = admin_client.post(
        admin_url("accounts_user", "add"),
        {"username": "bob", "email": "bob@example.org", "usable_password": "false"},
    )
    assert response.status_code == 302
    bob = User.objects.get(username="bob")
    assert bob.email == "bob@example.org"
    assert not bob.has_usable_password()


def test_project_change_form_sets_visibility_and_status_through_services(admin_client, world):
    url = admin_url("projects_project", "change", world.project.pk)
    data = form_data(admin_client.get(url))
    data.update(visibility="public", status="deprecated", status_reason="use acme-new")

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    world.project.refresh_from_db()
    assert world.project.visibility == "public"
    assert (world.project.status, world.project.status_reason) == ("deprecated", "use acme-new")
    admin = User.objects.get(username="admin")
    visibility = Event.objects.get(action="project:visibility")
    assert (visibility.actor, visibility.data) == (
        admin,
        {"previous": "private", "visibility": "public"},
    )
    status = Event.objects.get(action="project:status")
    assert status.actor == admin and status.data["status"] == "deprecated"


def test_project_change_form_stores_no_reason_for_an_active_project(admin_client, world):
    url = admin_url("projects_project", "change", world.project.pk)

    assert resubmit(admin_client, url, status="active", status_reason="fine").status_code == 302

    world.project.refresh_from_db()
    assert (world.project.status, world.project.status_reason) == ("active", "")
    data = Event.objects.get(action="project:status").data
    assert {k: data[k] for k in ("status", "reason")} == {"status": "active", "reason": ""}


def test_project_change_form_sets_size_limits_through_the_service(admin_client, world):
    url = admin_url("projects_project", "change", world.project.pk)

    assert resubmit(admin_client, url, upload_limit=2**30, total_size_limit="").status_code == 302
    refused = resubmit(admin_client, url, upload_limit=-1)

    world.project.refresh_from_db()
    assert (world.project.upload_limit, world.project.total_size_limit) == (2**30, None)
    event = Event.objects.get(action="project:limits")
    assert (event.actor.username, event.data["current"]) == ("admin", {"upload_limit": 2**30})
    assert refused.status_code == 302 and refused["Location"] == url
    assert "at least 1 byte" in admin_client.get(url).content.decode()


def test_project_change_form_without_changes_records_nothing(admin_client, world):
    url = admin_url("projects_project", "change", world.project.pk)
    response = admin_client.post(url, form_data(admin_client.get(url)))
    assert response.status_code == 302
    assert not Event.objects.filter(action__startswith="project:").exists()


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("make_public", "private", "public"),
        ("make_private", "public", "private"),
    ],
)
def test_project_visibility_actions(admin_client, world, action, start, end):
    world.project.visibility = start
    world.project.save()

    response = admin_client.post(
        admin_url("projects_project", "changelist"),
        {"action": action, "_selected_action": [world.project.pk]},
    )

    assert response.status_code == 302
    world.project.refresh_from_db()
    assert world.project.visibility == end
    event = Event.objects.get(action="project:visibility")
    assert event.actor.username == "admin"


def test_release_yank_action(admin_client, world):
    response = admin_client.post(
        admin_url("projects_release", "changelist"),
        {"action": "yank", "_selected_action": [world.release.pk]},
    )

    assert response.status_code == 302
    world.release.refresh_from_db()
    assert world.release.yanked
    assert Event.objects.get(action="release:yank").actor.username == "admin"


def test_token_pages_never_show_the_secret_hash(admin_client, world):
    for url in (
        admin_url("tokens_token", "changelist"),
        admin_url("tokens_token", "change", world.token.pk),
    ):
        content = admin_client.get(url).content.decode()
        assert world.token.secret_hash not in content
        assert "secret_hash" not in content
        assert world.token.identifier in content


def test_token_cannot_be_edited(admin_client, world):
    url = admin_url("tokens_token", "change", world.token.pk)
    admin_client.post(url, {"scopes": '["read", "upload", "manage"]', "name": "widened"})
    world.token.refresh_from_db()
    assert world.token.scopes == ["read"] and world.token.name == "ci"


def test_revoke_action_revokes_selected_tokens(admin_client, world):
    other = token_issue(user=world.user, scopes=["upload"], actor=None)

    response = admin_client.post(
        admin_url("tokens_token", "changelist"),
        {"action": "revoke", "_selected_action": [world.token.pk]},
    )

    assert response.status_code == 302
    assert token_authenticate(world.secret) is None
    assert token_authenticate(other.secret) is not None
    event = Event.objects.get(action="token:revoke")
    assert (event.token, event.actor.username) == (world.token, "admin")


def test_admin_issues_token_and_shows_secret_once(admin_client, world):
    response = admin_client.post(
        admin_url("tokens_token", "add"),
        {
            "user": world.user.pk,
            "name": "from-admin",
            "scopes": ["read", "upload"],
            "expires_in_days": "7",
            "projects": [world.project.pk],
            "organization": "",
        },
    )

    assert response.status_code == 200
    content = response.content.decode()
    secrets_shown = TOKEN_RE.findall(content)
    assert len(secrets_shown) == 1
    secret = secrets_shown[0]
    assert "no-store" in response["Cache-Control"]
    token = token_authenticate(secret)
    assert token is not None and token.name == "from-admin"
    assert token.scopes == ["read", "upload"]
    assert list(token.projects.all()) == [world.project]
    assert token.expires is not None
    issue = Event.objects.get(action="token:issue", token=token)
    assert issue.actor.username == "admin"
    # Shown once: nowhere in storage, cookies or later pages.
    assert secret not in dump_database()
    assert all(secret not in morsel.value for morsel in response.cookies.values())
    for url in (
        admin_url("tokens_token", "changelist"),
        admin_url("tokens_token", "change", token.pk),
    ):
        assert secret not in admin_client.get(url).content.decode()


def test_admin_token_form_requires_a_scope(admin_client, world):
    response = admin_client.post(
        admin_url("tokens_token", "add"), {"user": world.user.pk, "name": "none"}
    )
    assert response.status_code == 200
    assert "scopes" in response.context["adminform"].form.errors
    assert not Token.objects.filter(name="none").exists()


# Inlines write through the services: each change leaves its event, a refusal changes nothing.
# The accounts inlines (members, teams, team members): tests/accounts/test_admin.py.


def resubmit(client, url, **changes):
    """POST the change form at ``url`` as shown, with ``changes`` applied."""
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def add_row(client, url, prefix, follow=False, **fields):
    """POST the change form at ``url`` with one new ``prefix`` inline row."""
    data = form_data(client.get(url))
    count = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = count + 1
    data.update({f"{prefix}-{count}-{name}": value for name, value in fields.items()})
    return client.post(url, data, follow=follow)


def actions():
    return list(Event.objects.order_by("pk").values_list("action", "actor__username"))


def test_admin_project_roles_record_events(admin_client, world, outsider):
    world.project.organization = world.organization
    world.project.save()
    # In an organization's projects, direct roles go to its members only.
    factories.OrganizationMemberFactory(
        organization=world.organization, user=outsider, role="member"
    )
    url = admin_url("projects_project", "change", world.project.pk)

    assert add_row(admin_client, url, "roles", user=outsider.pk, role="reader").status_code == 302
    assert resubmit(admin_client, url, **{"roles-1-role": "maintainer"}).status_code == 302
    assert resubmit(admin_client, url, **{"roles-1-DELETE": "on"}).status_code == 302
    assert resubmit(admin_client, url, **{"team_roles-0-role": "maintainer"}).status_code == 302
    assert resubmit(admin_client, url, **{"team_roles-0-DELETE": "on"}).status_code == 302

    assert not world.project.roles.filter(user=outsider).exists()
    assert not world.project.team_roles.exists()
    assert [a for a in actions() if a[0].startswith("project:")] == [
        ("project:role-set", "admin"),
        ("project:role-set", "admin"),
        ("project:role-remove", "admin"),
        ("project:team-role-set", "admin"),
        ("project:team-role-remove", "admin"),
    ]


def test_admin_refuses_to_remove_last_owner_of_project(admin_client, world):
    url = admin_url("projects_project", "change", world.project.pk)
    snapshot = dump_database()

    response = resubmit(admin_client, url, **{"roles-0-DELETE": "on"})

    assert response.status_code == 302 and response["Location"] == url
    assert "A project needs at least one owner." in admin_client.get(url).content.decode()
    assert dump_database() == snapshot
