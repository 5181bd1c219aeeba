"""Every event says who acted and from where (issue 9): a request's address and user agent, the
kind of actor (user, personal token, organization token, anonymous, system with the OS user)."""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from access import Principal
from audit.context import os_user
from audit.models import Event
from projects.services import release_yank_set
from tests import dists, factories
from tests.simple_api.uploading import post
from tokens.services import token_issue


def test_a_web_change_records_the_address_and_user_agent(client, owner, private_project):
    client.force_login(owner)
    client.post(
        reverse("settings:visibility", args=["secret-pkg"]),
        {"to": "public", "confirm_name": "secret-pkg"},
        REMOTE_ADDR="192.0.2.44",
        HTTP_USER_AGENT="Mozilla/5.0 (test)",
    )
    event = Event.objects.get(action="project:visibility")
    assert (event.ip, event.user_agent) == ("192.0.2.44", "Mozilla/5.0 (test)")
    assert (event.actor_kind, event.actor_name) == ("user", "owner")
    assert event.target == "project:secret-pkg"
    assert event.data == {"previous": "private", "visibility": "public"}


@override_settings(PRIVINDEX_TRUSTED_PROXIES=1)
def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(client, owner, private_project):
    client.force_login(owner)
    client.post(
        reverse("settings:visibility", args=["secret-pkg"]),
        {"to": "public", "confirm_name": "secret-pkg"},
        REMOTE_ADDR="10.0.0.2",
        # The client may prepend anything; only what the proxy appended counts.
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20",
    )
    assert Event.objects.get(action="project:visibility").ip == "198.51.100.20"


def test_a_token_upload_names_the_token(owner, private_project):
    issued = token_issue(user=owner, scopes=["upload"], actor=owner)
    filename, content = dists.make_wheel("Secret-Pkg", "1.0")
    client = Client(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="twine/6.0")
    response = post(client, filename, content, issued.secret)
    assert response.status_code == 200, response.content
    event = Event.objects.get(action="file:upload")
    assert event.actor_kind == "token" and event.token == issued.token
    assert event.actor_name == f"owner (token {issued.token.identifier})"
    assert (event.ip, event.user_agent) == ("203.0.113.5", "twine/6.0")


def test_a_command_is_recorded_as_the_system_and_its_os_user(private_project):
    call_command("setvisibility", "secret-pkg", "public")
    event = Event.objects.get(action="project:visibility")
    assert event.actor is None and event.actor_kind == "system"
    assert event.actor_name == f"system ({os_user()})" and event.ip is None


def test_events_are_immutable(db):
    event = Event.objects.create(action="x:y")
    event.action = "changed"
    with pytest.raises(ValueError, match="immutable"):
        event.save()
    with pytest.raises(ValueError, match="immutable"):
        event.delete()
    assert Event.objects.get(pk=event.pk).action == "x:y"


def test_an_organization_token_is_its_own_actor(db):
    org = factories.OrganizationFactory(name="acme")
    owner = factories.OrganizationMemberFactory(organization=org, role="owner").user
    project = factories.ProjectFactory(name="internal", organization=org)
    release = factories.ReleaseFactory(project=project, version="1.0")
    issued = token_issue(user=None, organization=org, scopes=["upload"], actor=owner)

    release_yank_set(release=release, yanked=True, principal=Principal(token=issued.token))
    event = Event.objects.get(action="release:yank")
    assert event.actor is None and event.actor_kind == "org-token"
    assert event.actor_name == f"token {issued.token.identifier}"
    assert event.organization == org
