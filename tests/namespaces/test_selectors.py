"""The namespace reads: which grant reserves a name, whether an upload may create a project
in it (S1.40, S4.16: an upload into someone else's namespace is refused), and the
``namespaces`` value of a project's JSON detail page, with their query budgets."""

import pytest

from access import Principal
from namespaces.selectors import (
    Verdict,
    namespace_list,
    namespace_prefixes,
    namespace_reserving,
    namespace_upload_verdict,
    project_namespaces,
)
from tests import factories


def test_prefixes_of_a_name():
    assert namespace_prefixes("a-b-c") == ["a", "a-b", "a-b-c"]
    assert namespace_prefixes("Foo.Bar") == ["foo", "foo-bar"]


# --- namespace_reserving -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reserved_by"),
    [
        ("foo", "foo"),  # the namespace itself
        ("foo-x", "foo"),
        ("foo-bar", "foo-bar"),  # the most specific grant
        ("foo-bar-baz", "foo-bar"),
        ("foobar", None),  # not foo followed by a hyphen
        ("fo", None),
        ("bar-foo", None),
    ],
)
def test_the_most_specific_matching_grant_reserves_a_name(
    scene, grant, name, reserved_by, django_assert_num_queries
):  # S1.40
    grant("foo", organization=scene.acme)
    grant("foo-bar", organization=scene.acme, open=True)
    with django_assert_num_queries(1):
        found = namespace_reserving(name)
    assert (found.normalized_name if found else None) == reserved_by


def test_hidden_grants_reserve_too(scene, grant):
    grant("typing", organization=scene.acme, hidden=True)
    assert namespace_reserving("typing-extensions").normalized_name == "typing"


# --- namespace_upload_verdict --------------------------------------------------------------


def verdict(name, principal, organization=None):
    return namespace_upload_verdict(
        normalized_name=name, principal=principal, organization=organization
    )


def test_a_name_in_no_namespace_is_allowed(scene, token):
    principal = Principal(token=token(scene.outsider, "upload").token)
    assert verdict("anything", principal) == Verdict(True, None, None)


def test_an_open_namespace_allows_anyone_and_places_nothing(scene, grant, token):
    made = grant("pytest", organization=scene.acme, open=True)
    principal = Principal(token=token(scene.outsider, "upload").token)
    assert verdict("pytest-mine", principal) == Verdict(True, made, None)


def test_an_open_child_of_a_restricted_root_decides_for_its_names(scene, grant, token):
    grant("jupyter", organization=scene.acme)
    child = grant("jupyter-contrib", organization=scene.acme, open=True)
    principal = Principal(token=token(scene.outsider, "upload").token)
    assert verdict("jupyter-contrib-x", principal) == Verdict(True, child, None)
    assert not verdict("jupyter-x", principal).allowed


def test_a_users_namespace_is_held_by_that_user_only(scene, grant, token):
    made = grant("alice", user=scene.alice)
    alice = Principal(token=token(scene.alice, "upload").token)
    other = Principal(token=token(scene.outsider, "upload").token)
    assert verdict("alice-tool", alice) == Verdict(True, made, None)
    assert verdict("alice-tool", other) == Verdict(False, made, None)


@pytest.mark.parametrize(
    ("holder", "allowed"),
    [("acme_owner", True), ("acme_manager", True), ("acme_member", False), ("outsider", False)],
)
def test_an_organizations_namespace_is_held_by_who_may_create_projects_there(
    scene, grant, token, holder, allowed, django_assert_max_num_queries
):
    made = grant("acme", organization=scene.acme)
    principal = Principal(token=token(getattr(scene, holder), "upload").token)
    principal.token_project_ids  # noqa: B018 (the token's own lookup, cached, not counted)
    with django_assert_max_num_queries(2):
        result = verdict("acme-tool", principal)
    # Created by its holder outside any organization, the project goes to the organization.
    expected = Verdict(True, made, scene.acme) if allowed else Verdict(False, made, None)
    assert result == expected


def test_an_organizations_namespace_is_held_only_for_projects_created_there(scene, grant, token):
    made = grant("acme", organization=scene.acme)
    factories.OrganizationMemberFactory(
        organization=scene.globex, user=scene.acme_owner, role="owner"
    )
    session = Principal(token=token(scene.acme_owner, "upload").token)
    assert verdict("acme-x", session, scene.acme) == Verdict(True, made, scene.acme)
    assert verdict("acme-x", session, scene.globex) == Verdict(False, made, scene.globex)


def test_an_organization_token_holds_its_organizations_namespace_only(scene, grant, token):
    made = grant("acme", organization=scene.acme)
    factories.OrganizationMemberFactory(
        organization=scene.globex, user=scene.acme_owner, role="owner"
    )
    for_acme = token(scene.acme_owner, "upload", organization=scene.acme).token
    for_globex = token(scene.acme_owner, "upload", organization=scene.globex).token
    # The upload passes a restricted token's organization; if it did not, the verdict finds it.
    for organization in (scene.acme, None):
        assert verdict("acme-x", Principal(token=for_acme), organization).allowed
    for organization in (scene.globex, None):
        assert verdict("acme-x", Principal(token=for_globex), organization) == Verdict(
            False, made, organization
        )


def test_a_token_restricted_to_projects_holds_no_organization_namespace(scene, grant, token):
    grant("acme", organization=scene.acme)
    project = factories.ProjectFactory(name="acme-old", organization=scene.acme)
    kept = token(scene.acme_owner, "upload", projects=[project]).token
    assert not verdict("acme-new", Principal(token=kept)).allowed


def test_an_inactive_organization_holds_nothing(scene, grant, token):
    grant("acme", organization=scene.acme)
    scene.acme.is_active = False
    scene.acme.save()
    assert not verdict("acme-x", Principal(token=token(scene.acme_owner, "upload").token)).allowed


def test_a_hidden_namespace_refuses_like_any_other(scene, grant, token):
    made = grant("typing", organization=scene.acme, hidden=True)
    principal = Principal(token=token(scene.outsider, "upload").token)
    assert verdict("typing-x", principal) == Verdict(False, made, None)


# --- project_namespaces --------------------------------------------------------------------


def test_no_matching_grant_is_null(scene, grant, django_assert_num_queries):  # S1.40
    grant("foo", organization=scene.acme)
    project = factories.ProjectFactory(name="foobar")
    with django_assert_num_queries(1):
        assert project_namespaces(project=project, principal=Principal()) is None


def test_every_matching_grant_most_specific_first_with_owned(
    scene, grant, django_assert_num_queries
):  # S1.40
    grant("foo", organization=scene.acme)
    grant("foo-bar", organization=scene.acme, open=True)
    mine = factories.ProjectFactory(name="Foo.Bar-Baz", organization=scene.acme)
    theirs = factories.ProjectFactory(name="foo-bar-qux")  # older than the grant, say
    with django_assert_num_queries(1):
        assert project_namespaces(project=mine, principal=Principal()) == [
            {"name": "foo-bar", "owned": True},
            {"name": "foo", "owned": True},
        ]
    assert project_namespaces(project=theirs, principal=Principal()) == [
        {"name": "foo-bar", "owned": False},
        {"name": "foo", "owned": False},
    ]


def test_a_users_grant_is_owned_by_projects_the_user_owns(scene, grant):
    grant("alice", user=scene.alice)
    owned = factories.ProjectFactory(name="alice-a")
    factories.ProjectRoleFactory(project=owned, user=scene.alice, role="owner")
    maintained = factories.ProjectFactory(name="alice-b")
    factories.ProjectRoleFactory(project=maintained, user=scene.alice, role="maintainer")
    in_org = factories.ProjectFactory(name="alice-c", organization=scene.acme)
    factories.ProjectRoleFactory(project=in_org, user=scene.alice, role="owner")
    result = {
        p.name: project_namespaces(project=p, principal=Principal())[0]["owned"]
        for p in (owned, maintained, in_org)
    }
    assert result == {"alice-a": True, "alice-b": False, "alice-c": True}


@pytest.mark.parametrize(
    ("caller", "sees_hidden"),
    [
        ("anon", False),
        ("outsider", False),
        ("alice", False),
        ("acme_member", True),  # sees the organization, so its hidden grants
        ("acme_owner", True),
        ("staff", True),
    ],
)
def test_hidden_grants_are_left_out_but_for_their_holders_and_staff(
    scene, grant, caller, sees_hidden, django_assert_num_queries
):  # PEP 752 hidden grants
    grant("typing", organization=scene.acme, hidden=True)
    grant("typing-ext", organization=scene.acme, hidden=True)
    grant("other", user=scene.alice, hidden=True)
    project = factories.ProjectFactory(name="typing-ext-x", visibility="public")
    principal = Principal() if caller == "anon" else Principal(user=getattr(scene, caller))
    with django_assert_num_queries(1):
        result = project_namespaces(project=project, principal=principal)
    expected = [{"name": "typing-ext", "owned": False}, {"name": "typing", "owned": False}]
    assert result == (expected if sees_hidden else None)


def test_a_users_hidden_grant_is_seen_by_that_user(scene, grant):
    grant("alice", user=scene.alice, hidden=True)
    project = factories.ProjectFactory(name="alice-x")
    assert project_namespaces(project=project, principal=Principal(user=scene.alice)) == [
        {"name": "alice", "owned": False}
    ]
    assert project_namespaces(project=project, principal=Principal(user=scene.outsider)) is None


def test_an_organization_token_sees_only_its_organizations_hidden_grants(scene, grant, token):
    grant("typing", organization=scene.acme, hidden=True)
    factories.OrganizationMemberFactory(
        organization=scene.globex, user=scene.acme_member, role="member"
    )
    project = factories.ProjectFactory(name="typing-x", visibility="public")
    for_globex = Principal(token=token(scene.acme_member, "read", organization=scene.globex).token)
    for_acme = Principal(token=token(scene.acme_member, "read", organization=scene.acme).token)
    assert project_namespaces(project=project, principal=for_globex) is None
    assert project_namespaces(project=project, principal=for_acme) == [
        {"name": "typing", "owned": False}
    ]


def test_the_list_costs_two_queries_whatever_the_number_of_grants(
    scene, grant, django_assert_num_queries
):
    for n in range(5):
        grant(f"ns{n}", organization=scene.acme)
        grant(f"ns{n}-child", organization=scene.acme, hidden=True)
    principal = Principal(user=scene.acme_member)
    with django_assert_num_queries(2):
        listed = namespace_list(principal=principal)
    assert len(listed) == 10 and listed[0].owner == "Acme"
    assert listed[0].children == ["ns0-child"]
