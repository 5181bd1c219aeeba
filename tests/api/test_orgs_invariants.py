"""REST API organizations: what the services keep whoever asks (the last owner, a team's
members are the organization's, a team's roles are on its own projects, an organization is
deleted only once it owns nothing), answered with the service's status; every list a page;
unknown fields 400; invitations from start to end."""

import pytest

from accounts.models import Invitation, Organization, OrganizationMember, TeamMember
from audit.models import Event
from projects.models import TeamProjectRole
from tests import factories
from tests.api.helpers import bearer, detail
from tokens.services import token_issue

ORG = "/api/v1/orgs/acme/"


@pytest.fixture
def acme(db):
    org = factories.OrganizationFactory(name="Acme")
    people = {
        name: factories.OrganizationMemberFactory(
            organization=org, user=factories.UserFactory(username=name), role=role
        ).user
        for name, role in (("olive", "owner"), ("mona", "manager"), ("mel", "member"))
    }
    team = factories.TeamFactory(organization=org, name="devs")
    return org, people, team


@pytest.fixture
def olive(api, acme):
    api.force_login(acme[1]["olive"])
    return acme[1]["olive"]


# --- the last owner ----------------------------------------------------------------------------


def test_the_last_owner_is_neither_demoted_nor_removed(api, acme, olive):
    demoted = api.patch(f"{ORG}members/olive/", {"role": "member"}, format="json")
    removed = api.delete(f"{ORG}members/olive/")

    assert demoted.status_code == removed.status_code == 409
    assert (
        detail(demoted)
        == detail(removed)
        == ("An organization needs at least one owner: make someone else owner first.")
    )
    assert OrganizationMember.objects.get(user=olive).role == "owner"


def test_an_owner_steps_down_once_there_is_another(api, acme, olive):
    promoted = api.patch(f"{ORG}members/mona/", {"role": "owner"}, format="json")
    stepped_down = api.patch(f"{ORG}members/olive/", {"role": "member"}, format="json")

    assert promoted.json() == {
        "username": "mona",
        "role": "owner",
        "url": "http://testserver/api/v1/orgs/acme/members/mona/",
    }
    assert stepped_down.status_code == 200
    # No longer an owner: the next change is refused, and says why.
    again = api.patch(f"{ORG}members/mona/", {"role": "member"}, format="json")
    assert again.status_code == 403
    assert detail(again) == "Only owners of the organization may do this."


def test_removing_a_member_takes_them_out_of_its_teams(api, acme, olive):
    _, people, team = acme
    factories.TeamMemberFactory(team=team, user=people["mel"])

    response = api.delete(f"{ORG}members/mel/")

    assert response.status_code == 204 and response.content == b""
    assert not TeamMember.objects.filter(user=people["mel"]).exists()
    assert Event.objects.filter(action="organization:member-remove").get().actor == olive


def test_people_join_by_invitation_only(api, acme, olive):
    factories.UserFactory(username="stranger")

    response = api.patch(f"{ORG}members/stranger/", {"role": "member"}, format="json")

    assert response.status_code == 404
    assert not OrganizationMember.objects.filter(user__username="stranger").exists()


# --- teams -------------------------------------------------------------------------------------


def test_a_team_member_must_be_a_member_of_the_organization(api, acme, olive):
    _, _, team = acme
    factories.UserFactory(username="stranger")

    refused = api.post(f"{ORG}teams/{team.pk}/members/", {"username": "stranger"}, format="json")
    nobody = api.post(f"{ORG}teams/{team.pk}/members/", {"username": "ghost"}, format="json")
    added = api.post(f"{ORG}teams/{team.pk}/members/", {"username": "mel"}, format="json")

    assert refused.status_code == 400
    assert detail(refused) == "'stranger' must be a member of 'Acme' to join its teams."
    assert nobody.status_code == 400 and detail(nobody) == "No active user is named 'ghost'."
    assert added.status_code == 201
    assert added.json() == {
        "username": "mel",
        "url": f"http://testserver/api/v1/orgs/acme/teams/{team.pk}/members/mel/",
    }
    listed = api.get(f"{ORG}teams/{team.pk}/members/").json()
    assert [m["username"] for m in listed["results"]] == ["mel"]


def test_team_roles_are_on_the_organizations_own_projects_only(api, acme, olive):
    org, _, team = acme
    factories.ProjectFactory(name="Acme-Pkg", organization=org)
    # Olive manages a project outside Acme: she may, but Acme's team may not hold a role on it.
    mine = factories.ProjectFactory(name="Olives-Pkg")
    factories.ProjectRoleFactory(project=mine, user=olive, role="owner")
    hidden = factories.ProjectFactory(name="Hidden-Pkg")
    url = f"{ORG}teams/{team.pk}/roles/"

    elsewhere = api.post(url, {"project": "olives-pkg", "role": "reader"}, format="json")
    invisible = api.post(url, {"project": "hidden-pkg", "role": "reader"}, format="json")
    unknown = api.post(url, {"project": "no-such-pkg", "role": "reader"}, format="json")
    granted = api.post(url, {"project": "ACME_PKG", "role": "reader"}, format="json")

    assert elsewhere.status_code == 400
    assert detail(elsewhere) == "Only teams of the project's organization can hold roles on it."
    assert invisible.status_code == unknown.status_code == 400
    assert detail(invisible) == "No project named 'hidden-pkg' that you may manage."
    assert detail(unknown) == "No project named 'no-such-pkg' that you may manage."
    assert granted.status_code == 201
    assert granted.json()["project"] == "Acme-Pkg"
    assert list(TeamProjectRole.objects.values_list("project__name", "role")) == [
        ("Acme-Pkg", "reader")
    ]
    assert not TeamProjectRole.objects.filter(project__in=[mine, hidden]).exists()

    changed = api.patch(f"{url}acme-pkg/", {"role": "maintainer"}, format="json")
    assert changed.status_code == 200 and changed.json()["role"] == "maintainer"
    assert api.get(f"{url}acme-pkg/").json()["role"] == "maintainer"
    assert api.delete(f"{url}acme-pkg/").status_code == 204
    assert api.delete(f"{url}acme-pkg/").status_code == 404  # no role any more
    assert api.patch(f"{url}acme-pkg/", {"role": "owner"}, format="json").status_code == 404
    assert api.delete(f"{url}hidden-pkg/").status_code == 404


def test_a_team_of_another_organization_is_not_found(api, acme, olive):
    elsewhere = factories.TeamFactory(organization=factories.OrganizationFactory(name="Beta"))

    assert api.get(f"{ORG}teams/{elsewhere.pk}/").status_code == 404
    assert api.delete(f"{ORG}teams/{elsewhere.pk}/").status_code == 404
    assert api.get(f"{ORG}teams/{2**63}/").status_code == 404  # no row can have it
    assert api.delete(f"{ORG}invitations/{2**70}/").status_code == 404


def test_team_names_are_unique_in_the_organization(api, acme, olive):
    first = api.post(f"{ORG}teams/", {"name": "ops"}, format="json")
    second = api.post(f"{ORG}teams/", {"name": "ops"}, format="json")
    renamed = api.patch(first.json()["url"], {"name": "devs"}, format="json")

    assert first.status_code == 201
    assert second.status_code == renamed.status_code == 409
    assert detail(second) == "'Acme' already has a team 'ops'."


# --- the organization --------------------------------------------------------------------------


def test_an_organization_is_deleted_only_once_it_owns_no_project(api, acme, olive):
    org, _, _ = acme
    project = factories.ProjectFactory(name="Acme-Pkg", organization=org)

    refused = api.delete(ORG)
    project.delete()
    deleted = api.delete(ORG)

    assert refused.status_code == 409
    assert "still owns 1 project(s) (acme-pkg)" in detail(refused)
    assert deleted.status_code == 204
    assert not Organization.objects.filter(pk=org.pk).exists()
    assert api.get(ORG).status_code == 404


def test_owners_rename_and_change_settings(api, acme, olive):
    response = api.patch(ORG, {"name": "Acme_Corp", "default_visibility": "public"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["normalized_name"], body["default_visibility"]) == (
        "Acme_Corp",
        "acme-corp",
        "public",
    )
    assert body["url"] == "http://testserver/api/v1/orgs/acme-corp/"
    assert api.get("/api/v1/orgs/acme-corp/").status_code == 200
    event = Event.objects.get(action="organization:update")
    assert event.actor == olive


def test_requiring_two_factor_needs_it_yourself(api, acme, olive):
    response = api.patch(ORG, {"mfa_required": True}, format="json")

    assert response.status_code == 409
    assert detail(response).startswith("Set up two-factor authentication")


def test_a_taken_name_is_a_conflict(api, acme, olive):
    factories.OrganizationFactory(name="Beta")

    created = api.post("/api/v1/orgs/", {"name": "BETA"}, format="json")
    renamed = api.patch(ORG, {"name": "beta"}, format="json")

    assert created.status_code == renamed.status_code == 409


def test_creators_can_be_site_staff_only(api, acme, olive, settings):
    settings.PRIVINDEX_ORGANIZATION_CREATORS = "staff"

    response = api.post("/api/v1/orgs/", {"name": "NewCo"}, format="json")

    assert response.status_code == 403
    assert detail(response) == "Only site administrators may create organizations here."


# --- bodies and pages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "errors"),
    [
        ("post", "/api/v1/orgs/", {"name": "x", "visibilty": "public"}, {"visibilty"}),
        ("patch", ORG, {"visibilty": "public"}, {"visibilty"}),
        (
            "patch",
            ORG,
            {"default_visibility": "secret", "mfa": True},
            {"default_visibility", "mfa"},
        ),
        ("patch", f"{ORG}members/mel/", {"role": "emperor", "x": 1}, {"role", "x"}),
        ("post", f"{ORG}invitations/", {"username": "a", "email": "b@example.org"}, {""}),
        ("post", f"{ORG}invitations/", {"user": "a", "role": "boss"}, {"user", "role"}),
        ("post", "/api/v1/orgs/", {"name": "a/b"}, {"name"}),  # it could not be linked to
        ("patch", ORG, {"name": "acme/x"}, {"name"}),
        ("post", "/api/v1/orgs/", {"name": "a\x00b"}, {"name"}),
        ("post", f"{ORG}teams/", {}, {"name"}),
        ("post", f"{ORG}teams/", ["ops"], {""}),
    ],
)
def test_unknown_and_invalid_fields_are_400_with_every_error(
    api, acme, olive, method, path, body, errors
):
    response = getattr(api, method)(path, body, format="json")

    assert response.status_code == 400, response.content
    detail(response)
    assert {e["field"] for e in response.json()["errors"]} == errors


def test_team_role_bodies_are_checked(api, acme, olive):
    team = acme[2]
    url = f"{ORG}teams/{team.pk}/roles/"

    response = api.post(url, {"project": "x", "role": "admin", "team": "devs"}, format="json")

    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"role", "team"}


def test_every_list_is_a_page(api, acme, olive):
    org, _, team = acme
    for name in ("b", "c"):
        factories.TeamFactory(organization=org, name=name)

    first = api.get(f"{ORG}teams/?limit=2")
    rest = api.get(first.json()["next"])

    assert first.json()["count"] == 3
    assert [t["name"] for t in first.json()["results"]] == ["b", "c"]
    assert [t["name"] for t in rest.json()["results"]] == ["devs"]
    assert rest.json()["next"] is None
    for path in ("", "members/", "invitations/", "teams/", "tokens/"):
        body = api.get(f"/api/v1/orgs/{'acme/' if path else ''}{path}?limit=1").json()
        assert set(body) == {"count", "next", "previous", "results"}, path
    for path in (f"teams/{team.pk}/members/", f"teams/{team.pk}/roles/"):
        assert set(api.get(f"{ORG}{path}").json()) == {"count", "next", "previous", "results"}
    assert set(api.get("/api/v1/invitations/").json()) == {"count", "next", "previous", "results"}


def test_a_bad_page_query_is_a_400_with_every_error(api, acme, olive):
    response = api.get(f"{ORG}members/?limit=abc&offset=-4&bogus=1")

    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"limit", "offset", "bogus"}


# --- invitations -------------------------------------------------------------------------------


def test_an_invitation_from_start_to_end(api, acme, olive):
    bob = factories.UserFactory(username="bob")
    created = api.post(f"{ORG}invitations/", {"username": "bob", "role": "manager"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["username"], body["role"], body["invited_by"]) == ("bob", "manager", "olive")
    again = api.post(f"{ORG}invitations/", {"username": "bob"}, format="json")
    assert again.status_code == 409
    assert [i["id"] for i in api.get(f"{ORG}invitations/").json()["results"]] == [body["id"]]

    api.force_login(bob)
    mine = api.get("/api/v1/invitations/").json()["results"]
    assert [(i["organization"], i["role"], i["invited_by"]) for i in mine] == [
        ("Acme", "manager", "olive")
    ]
    accepted = api.post(mine[0]["accept_url"])

    assert accepted.status_code == 200
    assert accepted.json()["role"] == "manager"
    assert OrganizationMember.objects.get(user=bob).role == "manager"
    assert api.get(ORG).json()["role"] == "manager"
    assert api.post(mine[0]["accept_url"]).status_code == 404  # no longer one of theirs


def test_an_invitation_by_email_is_declined_or_withdrawn(api, acme, olive):
    carol = factories.UserFactory(username="carol", email="carol@example.org")
    by_email = api.post(f"{ORG}invitations/", {"email": "carol@example.org"}, format="json")
    dave = factories.UserFactory(username="dave")
    by_name = api.post(f"{ORG}invitations/", {"username": "dave"}, format="json")
    assert by_email.status_code == by_name.status_code == 201
    assert by_email.json()["username"] is None and by_email.json()["role"] == "member"

    withdrawn = api.delete(by_name.json()["url"])
    assert withdrawn.status_code == 204
    assert api.delete(by_name.json()["url"]).status_code == 404

    api.force_login(dave)
    assert api.get("/api/v1/invitations/").json()["count"] == 0
    api.force_login(carol)
    pk = by_email.json()["id"]
    assert api.post(f"/api/v1/invitations/{pk}/decline/").status_code == 204
    outcomes = dict(Invitation.objects.values_list("pk", "outcome"))
    assert outcomes == {pk: "declined", by_name.json()["id"]: "withdrawn"}
    assert not OrganizationMember.objects.filter(user__in=[carol, dave]).exists()


def test_an_invitation_whose_sender_is_no_longer_owner_grants_nothing(api, acme, olive):
    org, people, _ = acme
    bob = factories.UserFactory(username="bob")
    pk = api.post(f"{ORG}invitations/", {"username": "bob"}, format="json").json()["id"]
    api.patch(f"{ORG}members/mona/", {"role": "owner"}, format="json")
    api.force_login(people["mona"])
    api.patch(f"{ORG}members/olive/", {"role": "member"}, format="json")
    api.force_login(bob)

    response = api.post(f"/api/v1/invitations/{pk}/accept/")

    # Demoting its sender withdrew it: it is no longer one of bob's pending invitations.
    assert response.status_code == 404
    assert not OrganizationMember.objects.filter(organization=org, user=bob).exists()


def test_a_personal_manage_token_acts_for_its_person(api, acme):
    people = acme[1]
    secret = token_issue(user=people["mona"], scopes=["manage"], actor=None).secret

    created = api.post(f"{ORG}teams/", {"name": "ops"}, format="json", **bearer(secret))
    listed = api.get(f"{ORG}teams/", **bearer(secret))  # no read scope
    invited = api.post(f"{ORG}invitations/", {"username": "olive"}, format="json", **bearer(secret))

    assert created.status_code == 201
    assert Event.objects.get(action="team:create").actor == people["mona"]
    assert (
        listed.status_code == 403 and detail(listed) == "The token does not have the 'read' scope."
    )
    assert invited.status_code == 403  # a manager does not invite


def test_lists_cost_the_same_queries_however_long(api, acme, olive):
    """No list fetches row by row (N+1)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org, people, team = acme
    project = factories.ProjectFactory(name="Acme-Pkg", organization=org)
    factories.TeamProjectRoleFactory(project=project, team=team)
    factories.TeamMemberFactory(team=team, user=people["mel"])
    factories.UserFactory(username="ann")
    api.post(f"{ORG}invitations/", {"username": "ann"}, format="json")  # one of each at first
    paths = ["/api/v1/orgs/", ORG + "members/", ORG + "teams/", ORG + "invitations/"]
    paths += [f"{ORG}teams/{team.pk}/members/", f"{ORG}teams/{team.pk}/roles/"]

    def costs():
        counts = {}
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert api.get(path).status_code == 200
            counts[path] = len(queries)
        return counts

    few = costs()
    for n in range(5):
        user = factories.UserFactory(username=f"extra{n}")
        factories.OrganizationMemberFactory(organization=org, user=user)
        factories.TeamMemberFactory(team=team, user=user)
        other = factories.OrganizationFactory(name=f"Other{n}")
        factories.OrganizationMemberFactory(organization=other, user=olive)
        factories.TeamFactory(organization=org, name=f"t{n}")
        more = factories.ProjectFactory(name=f"Acme-{n}", organization=org)
        factories.TeamProjectRoleFactory(project=more, team=team)
    factories.UserFactory(username="bob")
    api.post(f"{ORG}invitations/", {"username": "bob"}, format="json")

    assert costs() == few
