"""The access matrix: principal x visibility x action through ``decide()`` (DESIGN 4)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from access import ALLOW, Action, Denial, Principal, Surface, decide, projects_visible_to
from projects.models import Project
from tests import factories
from tests.principals import ANON, USERS, VALID_TOKENS, Cast
from tokens.services import token_issue

ALLOWED = "allow"
U, F, N = Denial.UNAUTHENTICATED, Denial.FORBIDDEN, Denial.NOT_FOUND


def _user_with(project, role):
    user = factories.UserFactory()
    factories.ProjectRoleFactory(project=project, user=user, role=role)
    return user


def _token(user, scopes, **kwargs):
    return Principal(token=token_issue(user=user, scopes=scopes, actor=user, **kwargs).token)


# Every valid caller of the catalogue (tests.principals); bad credentials never reach decide().
WORLD = (ANON, *USERS, *VALID_TOKENS)


@pytest.fixture(params=["public", "private"])
def world(request, db):
    """One project of the given visibility in an organization, and every kind of principal."""
    org = factories.OrganizationFactory(name="acme")
    other_org = factories.OrganizationFactory(name="globex")
    project = factories.ProjectFactory(name="Target", visibility=request.param, organization=org)
    other = factories.ProjectFactory(name="Elsewhere", visibility="private")
    cast = Cast(projects=[project], other=other, org=org, other_org=other_org)
    return request.param, project, cast.principals(WORLD)


# (principal, action) -> (expected on public, expected on private)
MATRIX = {
    ("anon", Action.READ): (ALLOWED, N),
    ("outsider", Action.READ): (ALLOWED, N),
    ("reader", Action.READ): (ALLOWED, ALLOWED),
    ("maintainer", Action.READ): (ALLOWED, ALLOWED),
    ("owner", Action.READ): (ALLOWED, ALLOWED),
    ("org_owner", Action.READ): (ALLOWED, ALLOWED),
    ("org_manager", Action.READ): (ALLOWED, ALLOWED),
    ("org_member", Action.READ): (ALLOWED, ALLOWED),
    ("foreign_org_owner", Action.READ): (ALLOWED, N),
    ("team_reader", Action.READ): (ALLOWED, ALLOWED),
    ("team_maintainer", Action.READ): (ALLOWED, ALLOWED),
    ("superuser", Action.READ): (ALLOWED, ALLOWED),
    ("read_token", Action.READ): (ALLOWED, ALLOWED),
    ("upload_token", Action.READ): (F, F),
    ("manage_token", Action.READ): (F, F),
    ("token_for_project", Action.READ): (ALLOWED, ALLOWED),
    ("token_for_other_project", Action.READ): (ALLOWED, N),
    ("token_for_org", Action.READ): (ALLOWED, ALLOWED),
    ("token_for_other_org", Action.READ): (ALLOWED, N),
    ("staff", Action.READ): (ALLOWED, N),  # site staff read nothing private by being staff
    ("all_scopes_token", Action.READ): (ALLOWED, ALLOWED),
    ("outsider_token", Action.READ): (ALLOWED, N),
    ("reader_token_with_upload", Action.READ): (ALLOWED, ALLOWED),
    ("org_read_token", Action.READ): (ALLOWED, ALLOWED),
    ("org_upload_token", Action.READ): (ALLOWED, ALLOWED),
    ("org_read_token", Action.UPLOAD): (F, F),
    ("org_upload_token", Action.UPLOAD): (ALLOWED, ALLOWED),
    ("org_upload_token", Action.YANK): (ALLOWED, ALLOWED),
    ("org_upload_token", Action.MANAGE): (F, F),  # never manage: no such scope
    ("anon", Action.UPLOAD): (U, U),
    ("outsider", Action.UPLOAD): (F, N),  # hidden: upload answers 409 (names)
    ("reader", Action.UPLOAD): (F, F),
    ("reader_token_with_upload", Action.UPLOAD): (F, F),
    ("maintainer", Action.UPLOAD): (ALLOWED, ALLOWED),
    ("owner", Action.UPLOAD): (ALLOWED, ALLOWED),
    ("org_owner", Action.UPLOAD): (ALLOWED, ALLOWED),
    ("org_manager", Action.UPLOAD): (ALLOWED, ALLOWED),
    ("org_member", Action.UPLOAD): (F, F),
    ("foreign_org_owner", Action.UPLOAD): (F, N),  # hidden: upload answers 409 (names)
    ("team_reader", Action.UPLOAD): (F, F),
    ("team_maintainer", Action.UPLOAD): (ALLOWED, ALLOWED),
    ("superuser", Action.UPLOAD): (ALLOWED, ALLOWED),
    ("read_token", Action.UPLOAD): (F, F),
    ("upload_token", Action.UPLOAD): (ALLOWED, ALLOWED),
    ("manage_token", Action.UPLOAD): (F, F),
    ("token_for_project", Action.UPLOAD): (ALLOWED, ALLOWED),
    ("token_for_other_project", Action.UPLOAD): (F, N),  # hidden: upload answers 409 (names)
    ("token_for_org", Action.UPLOAD): (ALLOWED, ALLOWED),
    ("token_for_other_org", Action.UPLOAD): (F, N),  # hidden: upload answers 409 (names)
    ("anon", Action.YANK): (U, U),
    ("outsider", Action.YANK): (F, N),
    ("reader", Action.YANK): (F, F),
    ("maintainer", Action.YANK): (ALLOWED, ALLOWED),
    ("team_maintainer", Action.YANK): (ALLOWED, ALLOWED),
    ("upload_token", Action.YANK): (ALLOWED, ALLOWED),
    ("read_token", Action.YANK): (F, F),
    ("token_for_other_project", Action.YANK): (F, N),
    ("anon", Action.MANAGE): (U, U),
    ("outsider", Action.MANAGE): (F, N),
    ("reader", Action.MANAGE): (F, F),
    ("maintainer", Action.MANAGE): (F, F),
    ("owner", Action.MANAGE): (ALLOWED, ALLOWED),
    ("org_owner", Action.MANAGE): (ALLOWED, ALLOWED),
    ("org_manager", Action.MANAGE): (ALLOWED, ALLOWED),
    ("org_member", Action.MANAGE): (F, F),
    ("team_maintainer", Action.MANAGE): (F, F),
    ("superuser", Action.MANAGE): (ALLOWED, ALLOWED),
    ("read_token", Action.MANAGE): (F, F),
    ("upload_token", Action.MANAGE): (F, F),
    ("manage_token", Action.MANAGE): (ALLOWED, ALLOWED),
    ("all_scopes_token", Action.MANAGE): (ALLOWED, ALLOWED),
    ("token_for_other_project", Action.MANAGE): (F, F),  # no manage scope at all
    ("anon", Action.MODERATE): (U, U),
    ("outsider", Action.MODERATE): (F, N),
    ("owner", Action.MODERATE): (F, F),  # owners cannot lift a quarantine
    ("org_owner", Action.MODERATE): (F, F),
    ("manage_token", Action.MODERATE): (F, F),
    ("superuser", Action.MODERATE): (ALLOWED, ALLOWED),
    ("staff", Action.MODERATE): (ALLOWED, N),  # a private project staff cannot see: unknown
    ("staff", Action.MANAGE): (F, N),
    # A restriction narrows moderation as it narrows every write (decision 0014).
    ("staff_token_for_other_project", Action.READ): (ALLOWED, N),
    ("staff_token_for_other_project", Action.MANAGE): (F, N),
    ("staff_token_for_other_project", Action.MODERATE): (F, N),
    ("superuser_token", Action.MODERATE): (ALLOWED, ALLOWED),
    ("outsider_token", Action.MANAGE): (F, N),
}


@pytest.mark.parametrize(("who", "action"), list(MATRIX), ids=lambda v: str(v))
def test_decide_matrix(world, who, action):
    visibility, project, principals = world
    expected = MATRIX[(who, action)][0 if visibility == "public" else 1]
    decision = decide(principals[who], action, project, surface=None)
    if expected == ALLOWED:
        assert decision == ALLOW
    else:
        assert not decision
        assert decision.denial == expected, decision.reason


@pytest.mark.parametrize("visibility", ["public", "private"])
def test_staff_token_moderates_only_the_projects_it_is_kept_to(db, visibility):  # 0014
    target = factories.ProjectFactory(name="Target", visibility=visibility)
    other = factories.ProjectFactory(name="Elsewhere", visibility=visibility)
    cast = Cast(projects=[target], other=other)
    token = cast.principal("staff_token_for_other_project")
    admin = cast.principal("superuser")  # the token's holder, signed in

    assert decide(token, Action.MODERATE, other, surface=None)
    refused = decide(token, Action.MODERATE, target, surface=None)
    assert refused.denial == (F if visibility == "public" else N), refused.reason
    assert decide(admin, Action.MODERATE, target, surface=None)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anon", N),
        ("outsider", N),
        ("owner", N),
        ("read_token", N),
        ("upload_token", F),  # the answer depends on the token only (S4.11)
        ("manage_token", F),
    ],
)
def test_unknown_name_reads_like_a_private_one(world, who, expected):
    _, _, principals = world
    assert decide(principals[who], Action.READ, None, surface=None).denial == expected


@pytest.mark.parametrize("who", ["anon"])
def test_auth_simple_challenges_every_anonymous_request(world, who):
    _, project, principals = world
    assert decide(principals[who], Action.READ, project, surface=Surface.AUTH_SIMPLE).denial == U
    assert decide(principals[who], Action.READ, None, surface=Surface.AUTH_SIMPLE).denial == U


def test_auth_simple_does_not_change_answers_for_tokens(world):
    _, project, principals = world
    assert decide(principals["read_token"], Action.READ, project, surface=Surface.AUTH_SIMPLE)


def test_upload_to_invisible_private_name_is_not_found(world):
    visibility, project, principals = world
    decision = decide(principals["outsider"], Action.UPLOAD, project, surface=None)
    if visibility == "private":
        # /legacy/ answers it as the name rules answer any unavailable name (409).
        assert decision.denial == N
    else:
        assert "isn't allowed to upload" in decision.reason


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anon", U),
        ("outsider", ALLOWED),
        ("upload_token", ALLOWED),
        ("read_token", F),
        ("token_for_project", F),  # a project-restricted token cannot create
        ("token_for_org", F),  # a team maintainer is not an org owner/manager of acme
        ("org_upload_token", ALLOWED),  # creates in its organization
        ("org_read_token", F),
    ],
)
def test_create_new_project(world, who, expected):
    _, _, principals = world
    decision = decide(principals[who], Action.CREATE, None, surface=None)
    if expected == ALLOWED:
        assert decision
    else:
        assert decision.denial == expected


def test_org_token_creates_only_for_org_managers(db):
    org = factories.OrganizationFactory()
    manager = factories.OrganizationMemberFactory(organization=org, role="manager").user
    member = factories.OrganizationMemberFactory(organization=org, role="member").user
    assert decide(_token(manager, ["upload"], organization=org), Action.CREATE, None, surface=None)
    assert not decide(
        _token(member, ["upload"], organization=org), Action.CREATE, None, surface=None
    )


def test_archived_project_refuses_uploads_even_to_owner(db):
    project = factories.ProjectFactory(status="archived")
    owner = _user_with(project, "owner")
    decision = decide(Principal(user=owner), Action.UPLOAD, project, surface=None)
    assert decision.denial == F and "archived" in decision.reason
    assert decide(Principal(user=owner), Action.READ, project, surface=None)


def test_inactive_organization_grants_nothing(db):
    org = factories.OrganizationFactory(is_active=False)
    project = factories.ProjectFactory(organization=org)
    member = factories.OrganizationMemberFactory(organization=org, role="owner").user
    assert decide(Principal(user=member), Action.READ, project, surface=None).denial == N


def test_read_twin_agrees_with_decide(world):
    """projects_visible_to lists exactly the projects decide() lets each principal read."""
    _, _, principals = world
    factories.ProjectFactory(name="Public-Extra", visibility="public")
    all_projects = list(Project.objects.all())
    for who, principal in principals.items():
        listed = set(projects_visible_to(principal).values_list("id", flat=True))
        allowed = {p.id for p in all_projects if decide(principal, Action.READ, p, surface=None)}
        assert listed == allowed, who


def test_role_lookup_is_one_query_whatever_the_number_of_roles(db, django_assert_num_queries):
    org = factories.OrganizationFactory()
    project = factories.ProjectFactory(organization=org)
    user = factories.UserFactory()
    factories.OrganizationMemberFactory(organization=org, user=user, role="member")
    for _ in range(5):
        team = factories.TeamFactory(organization=org)
        factories.TeamMemberFactory(team=team, user=user)
        factories.TeamProjectRoleFactory(project=project, team=team, role="reader")
    principal = Principal(user=user)
    with django_assert_num_queries(1):
        assert decide(principal, Action.READ, project, surface=None)
        assert not decide(principal, Action.UPLOAD, project, surface=None)


@pytest.mark.parametrize("how", ["org-inactive", "left-org", "team-of-other-org"])
def test_team_roles_need_a_live_membership_in_the_projects_org(db, how):
    org = factories.OrganizationFactory()
    project = factories.ProjectFactory(organization=org, visibility="private")
    team_org = factories.OrganizationFactory() if how == "team-of-other-org" else org
    team = factories.TeamFactory(organization=team_org)
    user = factories.UserFactory()
    factories.TeamMemberFactory(team=team, user=user)
    factories.TeamProjectRoleFactory(project=project, team=team, role="maintainer")
    if how != "left-org":
        factories.OrganizationMemberFactory(organization=team_org, user=user, role="member")
    if how == "org-inactive":
        org.is_active = False
        org.save()
    principal = Principal(user=user)
    assert decide(principal, Action.READ, project, surface=None).denial == N
    assert decide(principal, Action.UPLOAD, project, surface=None).denial == N
    assert project not in projects_visible_to(principal)


def _shape_of_read(principal, project):
    """The SQL a READ of ``project`` (None: an unknown name) runs, with every number blanked."""
    with CaptureQueriesContext(connection) as queries:
        decide(principal, Action.READ, project, surface=Surface.SIMPLE)
    return [re.sub(r"\b\d+\b", "N", query["sql"]) for query in queries.captured_queries]


@pytest.mark.parametrize("in_org", [False, True], ids=["no-organization", "organization"])
def test_unknown_name_runs_the_same_sql_as_a_private_project(db, in_org):  # S4.12
    organization = factories.OrganizationFactory() if in_org else None
    project = factories.ProjectFactory(visibility="private", organization=organization)
    cast = Cast(projects=[factories.ProjectFactory(name="Mine", visibility="private")])
    cast.ensure("read_token")

    def fresh():  # nothing cached from an earlier lookup
        return Principal(token=cast.issued("read_token").token)

    private = _shape_of_read(fresh(), project)
    unknown = _shape_of_read(fresh(), None)

    assert len(private) == len(unknown) == 2  # the token's restriction, then the roles
    assert [q.count(" UNION ") for q in private] == [q.count(" UNION ") for q in unknown]
    assert private[-1].count(" UNION ") == 2  # direct, team and organization roles
    assert private == unknown
