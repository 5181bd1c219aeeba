"""The scene of the project settings tests (``test_web_settings*.py``): the standard scene's
projects and people (``tests/conftest.py``), a project of the organization ``acme`` with a
team, a team of another organization, and the helpers every settings test uses.

A test module takes the fixtures by importing them (``from tests.projects.settings_scene
import org_scene_fixture``): each is registered under its ``name``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories

UNKNOWN = "no-such-pkg"


@pytest.fixture(autouse=True, name="_static_root")
def static_root_fixture(settings, tmp_path):
    # WhiteNoise warns (an error under -W error) when STATIC_ROOT does not exist; a manifest
    # storage would need collectstatic first. These tests are about the pages, not the assets.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(name="releases")
def releases_fixture(private_project):
    """1.0 (offered) and 0.9 (yanked) of Secret-Pkg."""
    offered = factories.ReleaseFactory(project=private_project, version="1.0")
    yanked = factories.ReleaseFactory(
        project=private_project, version="0.9", yanked=True, yanked_reason="broken"
    )
    return offered, yanked


@pytest.fixture(name="org_scene")
def org_scene_fixture(cast):
    """Org-Tool, a private project of acme; its team ``devs`` (with a role on it) and
    ``qa``; ``spies``, a team of globex; acme's owner and a plain member."""
    org = cast.org
    project = factories.ProjectFactory(name="Org-Tool", visibility="private", organization=org)
    devs = factories.TeamFactory(organization=org, name="devs")
    qa = factories.TeamFactory(organization=org, name="qa")
    spies = factories.TeamFactory(organization=cast.other_org, name="spies")
    factories.TeamProjectRoleFactory(project=project, team=devs, role="reader")
    member = factories.UserFactory(username="carol")
    factories.OrganizationMemberFactory(organization=org, user=member, role="member")
    return {
        "project": project,
        "devs": devs,
        "qa": qa,
        "spies": spies,
        "org_owner": cast.user("org_owner"),
        "member": member,
    }


def url(view: str, name: str = "secret-pkg", *args: object) -> str:
    return reverse(f"settings:{view}", args=[name, *args])


def signed_in(client, user):
    client.force_login(user)
    return client
