"""What the project settings forms do (issue 10): the visibility change, confirmed by typing
the project's name, that says what changes; collaborators (users and the organization's teams)
added, changed and removed after confirmation, the last owner kept; yanking and un-yanking with
a reason after confirmation. Each change is recorded with who made it; a refusal or a missing
confirmation changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import Event
from projects.models import ProjectRole, Release, TeamProjectRole
from tests import factories
from tests.projects.settings_scene import (  # noqa: F401 (fixtures)
    org_scene_fixture,
    releases_fixture,
    static_root_fixture,
    url,
)


def _events(action):
    return list(Event.objects.filter(action=action).order_by("id"))


# --- visibility -------------------------------------------------------------------------------


def test_making_a_project_public_says_what_changes_and_needs_its_name(
    client, owner, private_project
):
    client.force_login(owner)

    page = client.get(url("visibility"), {"to": "public"})
    missing = client.post(url("visibility"), {"to": "public"})
    wrong = client.post(url("visibility"), {"to": "public", "confirm_name": "Secret-Pk"})

    body = page.content.decode()
    assert page.status_code == 200
    assert "Anyone can install it" in body and "<code>/simple/</code>" in body and "search" in body
    assert 'name="confirm_name"' in body and 'for="confirm-name"' in body
    assert missing.status_code == wrong.status_code == 400
    assert "Type the project&#x27;s name, Secret-Pkg, to confirm" in wrong.content.decode()
    private_project.refresh_from_db()
    assert private_project.visibility == "private"
    assert not _events("project:visibility")
    assert client.logout() is None
    assert client.get(reverse("web:project", args=["secret-pkg"])).status_code == 404

    client.force_login(owner)
    done = client.post(url("visibility"), {"to": "public", "confirm_name": " secret_PKG "})

    assert done.status_code == 302 and done.url == url("index")
    private_project.refresh_from_db()
    assert private_project.visibility == "public"
    (event,) = _events("project:visibility")
    assert event.actor == owner and event.data["visibility"] == "public"
    assert "Secret-Pkg is now public." in client.get(done.url).content.decode()
    client.logout()
    assert client.get(reverse("web:project", args=["secret-pkg"])).status_code == 200
    assert b"secret-pkg" in client.get(reverse("simple:index")).content


def test_making_a_project_private_says_what_remains(client, owner, public_project):
    client.force_login(owner)

    page = client.get(url("visibility", "open-pkg"), {"to": "private"})
    done = client.post(url("visibility", "open-pkg"), {"to": "private", "confirm_name": "open-pkg"})

    body = page.content.decode()
    assert "Installs without a token stop" in body
    assert "cached by proxies" in body and "remain" in body
    assert done.status_code == 302
    public_project.refresh_from_db()
    assert public_project.visibility == "private"
    client.logout()
    assert client.get(reverse("web:project", args=["open-pkg"])).status_code == 404


@pytest.mark.parametrize("to", ["", "internal", "PUBLIC"])
def test_an_unknown_visibility_is_400_and_changes_nothing(client, owner, private_project, to):
    client.force_login(owner)
    page = client.get(url("visibility"), {"to": to})
    post = client.post(url("visibility"), {"to": to, "confirm_name": "Secret-Pkg"})
    assert page.status_code == post.status_code == 400
    assert "Say which visibility" in post.content.decode()
    private_project.refresh_from_db()
    assert private_project.visibility == "private"


def test_the_settings_offer_the_change_that_changes_something(
    client, owner, private_project, public_project
):
    client.force_login(owner)
    private = client.get(url("index")).content.decode()
    public = client.get(url("index", "open-pkg")).content.decode()
    assert 'value="public"' in private and 'value="private"' not in private
    assert 'value="private"' in public and 'value="public"' not in public


def test_a_closed_index_offers_both_and_says_who_may_read(client, owner, public_project, settings):
    settings.PRIVINDEX_ANONYMOUS_READ = False  # nothing is readable by anyone anonymous
    client.force_login(owner)
    index = client.get(url("index", "open-pkg")).content.decode()
    page = client.get(url("visibility", "open-pkg"), {"to": "public"}).content.decode()
    assert 'value="public"' in index and 'value="private"' in index
    assert "Every signed-in user and every token" in page


# --- collaborators: users ---------------------------------------------------------------------


def test_an_owner_adds_a_colleague_as_maintainer(client, owner, private_project, releases):
    colleague = factories.UserFactory(username="colleague")
    client.force_login(owner)

    added = client.post(url("user-set"), {"username": "colleague", "role": "maintainer"})

    assert added.status_code == 302
    assert ProjectRole.objects.get(project=private_project, user=colleague).role == "maintainer"
    (event,) = _events("project:role-set")
    assert event.actor == owner
    assert (event.data["user"], event.data["role"], event.data["previous"]) == (
        "colleague",
        "maintainer",
        None,
    )
    listing = client.get(url("index")).content.decode()
    assert "colleague" in listing and "colleague is now maintainer of Secret-Pkg." in listing
    client.force_login(colleague)
    page = client.get(url("index"))
    assert page.status_code == 200 and page.context["can_yank"] and not page.context["can_manage"]


def test_an_unknown_or_inactive_user_is_no_user(client, owner, private_project):
    factories.UserFactory(username="sleepy", is_active=False)
    client.force_login(owner)

    unknown = client.post(url("user-set"), {"username": "ghost", "role": "reader"})
    inactive = client.post(url("user-set"), {"username": "sleepy", "role": "reader"})
    empty = client.post(url("user-set"), {"username": "  ", "role": "reader"})

    assert unknown.status_code == inactive.status_code == empty.status_code == 400
    assert unknown.context["error"] == "No user named ghost."
    assert inactive.context["error"] == "No user named sleepy."
    assert ProjectRole.objects.filter(project=private_project).count() == 1
    assert not _events("project:role-set")


def test_an_unknown_role_is_400(client, owner, private_project):
    factories.UserFactory(username="colleague")
    client.force_login(owner)
    response = client.post(url("user-set"), {"username": "colleague", "role": "admin"})
    assert response.status_code == 400
    assert "Role must be one of" in response.context["error"]
    assert ProjectRole.objects.filter(project=private_project).count() == 1


def test_an_owner_changes_a_role(client, owner, maintainer, private_project):
    client.force_login(owner)
    changed = client.post(url("user-set"), {"username": "maintainer", "role": "reader"})
    assert changed.status_code == 302
    assert ProjectRole.objects.get(project=private_project, user=maintainer).role == "reader"
    (event,) = _events("project:role-set")
    assert (event.actor, event.data["previous"], event.data["role"]) == (
        owner,
        "maintainer",
        "reader",
    )


def test_the_last_owner_is_neither_demoted_nor_removed(client, owner, private_project):
    client.force_login(owner)

    demoted = client.post(url("user-set"), {"username": "owner", "role": "maintainer"})
    removed = client.post(url("user-remove", "secret-pkg", "owner"), {"confirm": "yes"})

    assert demoted.status_code == removed.status_code == 409
    assert (
        demoted.context["error"]
        == removed.context["error"]
        == "A project needs at least one owner."
    )
    assert "A project needs at least one owner." in removed.content.decode()
    assert ProjectRole.objects.get(project=private_project, user=owner).role == "owner"
    assert not _events("project:role-set") and not _events("project:role-remove")


def test_an_owner_who_steps_down_is_sent_where_they_still_may_go(client, owner, private_project):
    co_owner = factories.UserFactory(username="co")
    factories.ProjectRoleFactory(project=private_project, user=co_owner, role="owner")
    client.force_login(owner)

    demoted = client.post(url("user-set"), {"username": "owner", "role": "maintainer"})
    assert demoted.status_code == 302 and demoted.url == url("index")  # may still yank
    reader = client.post(url("user-set"), {"username": "owner", "role": "reader"})
    assert reader.status_code == 403  # no longer theirs to manage

    client.force_login(co_owner)
    client.post(url("user-set"), {"username": "owner", "role": "owner"})
    client.force_login(owner)
    client.post(url("user-set"), {"username": "owner", "role": "reader"})
    assert client.get(url("index")).status_code == 403
    client.force_login(co_owner)
    gone = client.post(url("user-remove", "secret-pkg", "co"), {"confirm": "yes"})
    assert gone.status_code == 409  # owner is a reader now: co is the last owner


def test_removing_yourself_leaves_for_home_when_the_project_is_out_of_sight(
    client, owner, private_project
):
    co_owner = factories.UserFactory(username="co")
    factories.ProjectRoleFactory(project=private_project, user=co_owner, role="owner")
    client.force_login(owner)
    page = client.get(url("user-remove", "secret-pkg", "owner"))
    assert "This is you." in page.content.decode()

    gone = client.post(url("user-remove", "secret-pkg", "owner"), {"confirm": "yes"})

    assert gone.status_code == 302 and gone.url == reverse("web:home")
    assert not ProjectRole.objects.filter(project=private_project, user=owner).exists()


def test_removal_asks_for_confirmation_first(client, owner, maintainer, private_project):
    client.force_login(owner)

    page = client.get(url("user-remove", "secret-pkg", "maintainer"))
    unconfirmed = client.post(url("user-remove", "secret-pkg", "maintainer"))
    wrong = client.post(url("user-remove", "secret-pkg", "maintainer"), {"confirm": "on"})

    body = page.content.decode()
    assert page.status_code == 200
    assert "Remove maintainer from Secret-Pkg?" in body
    assert 'name="confirm" value="yes"' in body
    assert unconfirmed.status_code == wrong.status_code == 400
    assert "Confirm the removal. Nothing was changed." in unconfirmed.content.decode()
    assert ProjectRole.objects.filter(project=private_project, user=maintainer).exists()
    assert not _events("project:role-remove")

    done = client.post(url("user-remove", "secret-pkg", "maintainer"), {"confirm": "yes"})

    assert done.status_code == 302 and done.url == url("index")
    assert not ProjectRole.objects.filter(project=private_project, user=maintainer).exists()
    (event,) = _events("project:role-remove")
    assert (event.actor, event.data["user"], event.data["previous"]) == (
        owner,
        "maintainer",
        "maintainer",
    )


def test_removing_someone_without_a_role_is_404_on_the_settings(client, owner, private_project):
    factories.UserFactory(username="bystander")
    client.force_login(owner)
    page = client.get(url("user-remove", "secret-pkg", "bystander"))
    post = client.post(url("user-remove", "secret-pkg", "bystander"), {"confirm": "yes"})
    assert page.status_code == post.status_code == 404
    assert post.context["error"] == "bystander has no role on Secret-Pkg."


def test_an_inactive_collaborator_can_still_be_changed_and_removed(client, owner, private_project):
    gone = factories.UserFactory(username="gone", is_active=False)
    factories.ProjectRoleFactory(project=private_project, user=gone, role="maintainer")
    client.force_login(owner)
    assert "gone" in client.get(url("index")).content.decode()
    changed = client.post(url("user-set"), {"username": "gone", "role": "reader"})
    removed = client.post(url("user-remove", "secret-pkg", "gone"), {"confirm": "yes"})
    assert changed.status_code == removed.status_code == 302
    assert not ProjectRole.objects.filter(user=gone).exists()


def test_in_an_organization_direct_roles_go_to_members_only(client, cast, org_scene):
    client.force_login(org_scene["org_owner"])
    factories.UserFactory(username="stranger")
    page = client.get(url("index", "org-tool")).content.decode()

    stranger = client.post(url("user-set", "org-tool"), {"username": "stranger", "role": "reader"})
    member = client.post(url("user-set", "org-tool"), {"username": "carol", "role": "maintainer"})

    assert '<option value="carol">' in page  # the members are suggested
    assert stranger.status_code == 400
    assert "is not a member of the project's organization" in stranger.context["error"]
    assert member.status_code == 302
    assert ProjectRole.objects.get(project=org_scene["project"]).user == org_scene["member"]
    (event,) = _events("project:role-set")
    assert event.actor == org_scene["org_owner"]


# --- collaborators: teams ---------------------------------------------------------------------


def test_only_the_organizations_teams_are_offered_and_accepted(client, org_scene):
    client.force_login(org_scene["org_owner"])

    page = client.get(url("index", "org-tool")).content.decode()
    foreign = client.post(
        url("team-set", "org-tool"), {"team": org_scene["spies"].pk, "role": "owner"}
    )
    garbage = client.post(url("team-set", "org-tool"), {"team": "1 OR 1=1", "role": "owner"})

    for team in ("devs", "qa"):
        assert f">{team}</option>" in page
    assert "spies" not in page
    assert foreign.status_code == garbage.status_code == 400
    assert foreign.context["error"] == "Choose a team of acme."
    assert not TeamProjectRole.objects.filter(team=org_scene["spies"]).exists()
    assert not _events("project:team-role-set")


def test_an_organization_owner_gives_changes_and_removes_team_roles(client, org_scene):
    owner = org_scene["org_owner"]
    project, devs, qa = org_scene["project"], org_scene["devs"], org_scene["qa"]
    client.force_login(owner)

    added = client.post(url("team-set", "org-tool"), {"team": qa.pk, "role": "maintainer"})
    changed = client.post(url("team-set", "org-tool"), {"team": devs.pk, "role": "maintainer"})
    page = client.get(url("team-remove", "org-tool", devs.pk))
    unconfirmed = client.post(url("team-remove", "org-tool", devs.pk))

    assert added.status_code == changed.status_code == 302
    assert TeamProjectRole.objects.get(project=project, team=qa).role == "maintainer"
    assert TeamProjectRole.objects.get(project=project, team=devs).role == "maintainer"
    assert [(e.data["team"], e.data["previous"]) for e in _events("project:team-role-set")] == [
        ("qa", None),
        ("devs", "reader"),
    ]
    assert "Remove the team devs from Org-Tool?" in page.content.decode()
    assert unconfirmed.status_code == 400
    assert TeamProjectRole.objects.filter(project=project, team=devs).exists()

    removed = client.post(url("team-remove", "org-tool", devs.pk), {"confirm": "yes"})

    assert removed.status_code == 302 and removed.url == url("index", "org-tool")
    assert not TeamProjectRole.objects.filter(project=project, team=devs).exists()
    (event,) = _events("project:team-role-remove")
    assert (event.actor, event.data["team"], event.data["previous"]) == (
        owner,
        "devs",
        "maintainer",
    )
    assert all(e.actor == owner for e in _events("project:team-role-set"))


def test_a_team_without_a_role_is_404_on_the_settings(client, org_scene):
    client.force_login(org_scene["org_owner"])
    response = client.get(url("team-remove", "org-tool", org_scene["qa"].pk))
    assert response.status_code == 404
    assert response.context["error"] == "That team has no role on Org-Tool."


def test_a_personal_project_gives_no_team_a_role(client, owner, private_project, org_scene):
    client.force_login(owner)
    page = client.get(url("index")).content.decode()
    response = client.post(url("team-set"), {"team": org_scene["devs"].pk, "role": "reader"})
    assert "Only projects of an organization give roles to teams." in page
    assert response.status_code == 400
    assert response.context["error"] == "Only projects of an organization give roles to teams."
    assert not TeamProjectRole.objects.filter(project=private_project).exists()


# --- yanking ----------------------------------------------------------------------------------


def test_a_maintainer_yanks_with_a_reason_after_confirming(
    client, maintainer, private_project, releases
):
    client.force_login(maintainer)

    page = client.get(url("yank", "secret-pkg", "1.0"))
    unconfirmed = client.post(url("yank", "secret-pkg", "1.0"), {"reason": "broken wheel"})

    body = page.content.decode()
    assert page.status_code == 200
    assert "Yank 1.0?" in body and 'name="reason"' in body and 'for="yank-reason"' in body
    assert unconfirmed.status_code == 400
    assert "Confirm yanking the release. Nothing was changed." in unconfirmed.content.decode()
    assert 'value="broken wheel"' in unconfirmed.content.decode()  # what was typed stays
    assert not Release.objects.get(project=private_project, version="1.0").yanked
    assert not _events("release:yank")

    done = client.post(
        url("yank", "secret-pkg", "1.0"), {"reason": " broken wheel ", "confirm": "yes"}
    )

    assert done.status_code == 302 and done.url == url("index")
    release = Release.objects.get(project=private_project, version="1.0")
    assert (release.yanked, release.yanked_reason) == (True, "broken wheel")
    (event,) = _events("release:yank")
    assert (event.actor, event.data["version"], event.data["reason"]) == (
        maintainer,
        "1.0",
        "broken wheel",
    )
    project_page = client.get(reverse("web:project", args=["secret-pkg"])).content.decode()
    assert "Yanked: broken wheel" in project_page


def test_an_owner_unyanks_after_confirming(client, owner, private_project, releases):
    client.force_login(owner)

    page = client.get(url("unyank", "secret-pkg", "0.9"))
    unconfirmed = client.post(url("unyank", "secret-pkg", "0.9"))

    assert page.status_code == 200
    assert "Un-yank 0.9?" in page.content.decode() and "broken" in page.content.decode()
    assert unconfirmed.status_code == 400
    assert Release.objects.get(project=private_project, version="0.9").yanked

    done = client.post(url("unyank", "secret-pkg", "0.9"), {"confirm": "yes", "reason": "fixed"})

    assert done.status_code == 302
    release = Release.objects.get(project=private_project, version="0.9")
    assert (release.yanked, release.yanked_reason) == (False, "")
    (event,) = _events("release:unyank")
    assert (event.actor, event.data["reason"]) == (owner, "fixed")


def test_an_offered_release_cannot_be_unyanked(client, owner, private_project, releases):
    client.force_login(owner)
    page = client.get(url("unyank", "secret-pkg", "1.0"))
    post = client.post(url("unyank", "secret-pkg", "1.0"), {"confirm": "yes"})
    assert page.status_code == post.status_code == 409
    assert post.context["error"] == "Secret-Pkg 1.0 is not yanked."
    assert not _events("release:unyank")


def test_a_yanked_release_gets_a_new_reason(client, owner, private_project, releases):
    client.force_login(owner)
    page = client.get(url("yank", "secret-pkg", "0.9")).content.decode()
    done = client.post(url("yank", "secret-pkg", "0.9"), {"confirm": "yes", "reason": "CVE"})
    assert "Change why 0.9 is yanked" in page and 'value="broken"' in page
    assert done.status_code == 302
    assert Release.objects.get(project=private_project, version="0.9").yanked_reason == "CVE"


def test_an_unknown_version_is_404_and_a_long_reason_400(client, owner, private_project, releases):
    client.force_login(owner)
    unknown = client.post(url("yank", "secret-pkg", "9.9"), {"confirm": "yes"})
    long = client.post(url("yank", "secret-pkg", "1.0"), {"confirm": "yes", "reason": "x" * 1001})
    assert unknown.status_code == 404
    assert unknown.context["error"] == "Secret-Pkg has no release 9.9."
    assert long.status_code == 400
    assert "limited to 1000 characters" in long.content.decode()
    assert not Release.objects.get(project=private_project, version="1.0").yanked


def test_a_version_in_another_spelling_names_the_same_release(
    client, owner, private_project, releases
):
    client.force_login(owner)
    done = client.post(url("yank", "secret-pkg", "1.0.0"), {"confirm": "yes"})
    assert done.status_code == 302
    assert Release.objects.get(project=private_project, version="1.0").yanked


# --- the pages themselves ---------------------------------------------------------------------


def test_no_page_has_inline_script_or_style(client, owner, maintainer, private_project, releases):
    """A strict Content-Security-Policy is coming: styles and scripts from /static/ only."""
    client.force_login(owner)
    pages = [
        url("index"),
        url("visibility") + "?to=public",
        url("visibility") + "?to=private",
        url("user-remove", "secret-pkg", "maintainer"),
        url("yank", "secret-pkg", "1.0"),
        url("unyank", "secret-pkg", "0.9"),
    ]
    for path in pages:
        response = client.get(path)
        body = response.content.decode()
        assert response.status_code == 200, path
        assert "<script" not in body and " style=" not in body and "<style" not in body, path
        assert 'name="viewport"' in body
