"""``/namespaces`` and ``/namespace/<ns>`` (PEP 752, JSON API 1.5: S1.40), and the
``namespaces`` key of the JSON project detail page: what each caller sees, the 404 of a
namespace it does not see, redirects, the credential rules and the cache headers."""

import pytest

from simple_api.problems import not_found
from tests import factories

JSON = "application/vnd.pypi.simple.v1+json"


@pytest.fixture
def granted(scene, grant):
    """acme: foo (restricted) with the children foo-bar (open) and foo-secret (hidden);
    alice: alice (open); acme: typing (hidden) with typing-x (hidden)."""
    made = {
        "foo": grant("Foo", organization=scene.acme),
        "foo-bar": grant("Foo.Bar", organization=scene.acme, open=True),
        "foo-secret": grant("foo-secret", organization=scene.acme, hidden=True),
        "alice": grant("Alice", user=scene.alice, open=True),
        "typing": grant("typing", organization=scene.acme, hidden=True),
        "typing-x": grant("typing-x", organization=scene.acme, hidden=True),
    }
    # Projects in the namespaces, private ones among them: no page may name them.
    for name in ("foo-private-thing", "typing-private-thing"):
        factories.ProjectFactory(name=name, visibility="private", organization=scene.acme)
    factories.ProjectFactory(name="foo-public-thing", visibility="public")
    return made


def get(client, path, **headers):
    return client.get(path, **headers)


def as_user(client, user):
    client.force_login(user)
    return client


def vary(response):
    return {value.strip() for value in response["Vary"].split(",")}


def names(response):
    return [entry["name"] for entry in response.json()["namespaces"]]


# --- /namespaces ---------------------------------------------------------------------------


def test_the_list_is_json_1_5_with_the_detail_of_each_namespace(client, granted):  # S1.40
    response = get(client, "/namespaces")
    assert response.status_code == 200
    assert response["Content-Type"] == f"{JSON}; charset=utf-8"
    data = response.json()
    assert data["meta"] == {"api-version": "1.5"}
    assert data["namespaces"] == [
        {"name": "alice", "owner": None, "open": True, "parent": None, "children": []},
        {"name": "foo", "owner": None, "open": False, "parent": None, "children": ["foo-bar"]},
        {"name": "foo-bar", "owner": None, "open": True, "parent": "foo", "children": []},
    ]


@pytest.mark.parametrize(
    ("caller", "listed"),
    [
        ("outsider", ["alice", "foo", "foo-bar"]),
        ("alice", ["alice", "foo", "foo-bar"]),
        (
            "acme_member",
            ["alice", "foo", "foo-bar", "foo-secret", "typing", "typing-x"],
        ),
        ("staff", ["alice", "foo", "foo-bar", "foo-secret", "typing", "typing-x"]),
    ],
)
def test_hidden_namespaces_are_listed_for_their_holders_and_staff_only(
    client, scene, granted, caller, listed
):  # PEP 752 hidden grants
    response = get(as_user(client, getattr(scene, caller)), "/namespaces")
    assert names(response) == listed


def test_owners_are_shown_to_those_who_see_them(client, scene, granted):
    def owners(user):
        data = get(as_user(client, user), "/namespaces").json()["namespaces"]
        return {entry["name"]: entry["owner"] for entry in data}

    assert owners(scene.outsider) == {"alice": None, "foo": None, "foo-bar": None}
    assert owners(scene.alice) == {"alice": "alice", "foo": None, "foo-bar": None}
    member = owners(scene.acme_member)
    assert member["alice"] is None and member["foo"] == member["typing"] == "Acme"
    assert set(owners(scene.staff).values()) == {"alice", "Acme"}


def test_a_holder_sees_the_hidden_children_of_a_namespace(client, scene, granted):
    data = get(as_user(client, scene.acme_member), "/namespaces").json()["namespaces"]
    children = {entry["name"]: entry["children"] for entry in data}
    assert children["foo"] == ["foo-bar", "foo-secret"]
    assert children["typing"] == ["typing-x"]


def test_no_page_names_a_project(client, scene, granted):
    for user in (None, scene.acme_member, scene.staff):
        if user is not None:
            client.force_login(user)
        for path in ("/namespaces", "/namespace/foo", "/namespace/typing"):
            assert b"thing" not in get(client, path).content


# --- /namespace/<ns> -----------------------------------------------------------------------


def test_the_detail_has_the_peps_keys(client, granted):  # S1.40
    response = get(client, "/namespace/foo-bar")
    assert response.status_code == 200
    assert response["Content-Type"] == f"{JSON}; charset=utf-8"
    assert response.json() == {
        "meta": {"api-version": "1.5"},
        "name": "foo-bar",
        "owner": None,
        "open": True,
        "parent": "foo",
        "children": [],
    }
    assert get(client, "/namespace/foo").json()["children"] == ["foo-bar"]


def test_a_holder_sees_a_hidden_namespace_and_its_owner(client, scene, granted):
    response = get(as_user(client, scene.acme_owner), "/namespace/typing")
    assert response.json() == {
        "meta": {"api-version": "1.5"},
        "name": "typing",
        "owner": "Acme",
        "open": False,
        "parent": None,
        "children": ["typing-x"],
    }


@pytest.mark.parametrize("path", ["/namespace/typing", "/namespace/foo-secret", "/namespace/zzz"])
def test_a_namespace_the_caller_does_not_see_is_the_ordinary_404(
    client, scene, granted, path
):  # PEP 752 hidden grants, DESIGN 4
    unknown = get(client, "/namespace/never-granted")
    for caller in (None, scene.outsider, scene.alice):
        if caller is not None:
            client.force_login(caller)
        response = get(client, path)
        assert response.status_code == 404
        # The JSON endpoints' one 404, an RFC 9457 problem (simple_api.problems).
        assert response.content == unknown.content == not_found().content
        assert response["Content-Type"] == "application/problem+json"
        assert dict(response.items()) == dict(unknown.items())


@pytest.mark.parametrize("name", ["Foo.Bar", "FOO_BAR", "Typing", "Never.Granted"])
def test_any_other_spelling_redirects_to_the_normalized_url(client, granted, name):
    """Granted or not, hidden or not: the redirect tells nothing."""
    response = get(client, f"/namespace/{name}?x=1")
    assert response.status_code == 301
    normalized = name.lower().replace(".", "-").replace("_", "-")
    assert response["Location"] == f"/namespace/{normalized}?x=1"
    assert {"Accept", "Authorization"} <= vary(response)


# --- credentials, closed index, methods, caching -------------------------------------------


@pytest.mark.parametrize("path", ["/namespaces", "/namespace/foo", "/namespace/Foo"])
def test_bad_credentials_are_refused_before_any_name_is_looked_at(client, granted, path):
    response = get(client, path, HTTP_AUTHORIZATION="Basic ***")  # S4.10, S4.9
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="privindex"'


@pytest.mark.parametrize("path", ["/namespaces", "/namespace/foo", "/namespace/Foo"])
def test_a_token_without_the_read_scope_is_forbidden(client, scene, granted, auth, path):
    assert get(client, path, **auth(scene.alice, "upload")).status_code == 403


@pytest.mark.parametrize("path", ["/namespaces", "/namespace/foo", "/namespace/Foo"])
def test_a_closed_index_challenges_anonymous_callers(client, scene, granted, auth, settings, path):
    settings.PRIVINDEX_ANONYMOUS_READ = False
    response = get(client, path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="privindex"'
    assert get(client, path, **auth(scene.alice, "read")).status_code in (200, 301)


def test_a_read_token_sees_what_its_user_sees(client, scene, granted, auth):
    response = get(client, "/namespaces", **auth(scene.acme_member, "read"))
    assert "typing" in names(response)
    factories.OrganizationMemberFactory(organization=scene.globex, user=scene.acme_member)
    restricted = auth(scene.acme_member, "read", organization=scene.globex)
    assert "typing" not in names(get(client, "/namespaces", **restricted))


def test_only_get_and_head_are_answered(client, granted):
    assert client.post("/namespaces").status_code == 405
    assert client.delete("/namespace/foo").status_code == 405
    assert client.head("/namespace/foo").status_code == 200


@pytest.mark.parametrize("path", ["/namespaces", "/namespace/foo"])
def test_pages_carry_etag_vary_and_cache_headers(client, scene, granted, path):  # S1.37, S1.38
    response = get(client, path)
    assert vary(response) == {"Accept", "Authorization", "Cookie"}  # decision 0007
    assert response["Cache-Control"] == "public, max-age=600"
    again = get(client, path, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again["ETag"] == response["ETag"]
    signed_in = get(as_user(client, scene.outsider), path)
    assert signed_in["Cache-Control"] == "private, max-age=600"


def test_a_revoked_namespace_is_gone(client, granted):
    from namespaces.services import namespace_revoke

    namespace_revoke(grant=granted["alice"], actor=None)
    assert get(client, "/namespace/alice").status_code == 404
    assert "alice" not in names(get(client, "/namespaces"))


# --- the JSON detail page ------------------------------------------------------------------


def test_project_detail_lists_its_namespaces_in_json_only(client, scene, granted):  # S1.40
    project = factories.ProjectFactory(
        name="Foo.Bar-Tool", visibility="public", organization=scene.acme
    )
    data = get(client, "/simple/foo-bar-tool/", HTTP_ACCEPT=JSON).json()
    assert data["meta"] == {"api-version": "1.5"}
    assert data["namespaces"] == [
        {"name": "foo-bar", "owned": True},
        {"name": "foo", "owned": True},
    ]
    html = get(client, "/simple/foo-bar-tool/").content.decode()
    assert 'content="1.4"' in html and "namespace" not in html  # PEP 833: HTML stays 1.4
    project.organization = None
    project.save()
    data = get(client, "/simple/foo-bar-tool/", HTTP_ACCEPT=JSON).json()
    assert [n["owned"] for n in data["namespaces"]] == [False, False]  # existed before, say


def test_project_detail_namespaces_is_null_outside_any_visible_namespace(
    client, scene, granted, auth
):
    for name in ("plain", "typing-y"):
        factories.ProjectFactory(name=name, visibility="public")
        assert get(client, f"/simple/{name}/", HTTP_ACCEPT=JSON).json()["namespaces"] is None
    data = get(client, "/simple/typing-y/", HTTP_ACCEPT=JSON, **auth(scene.acme_member)).json()
    assert data["namespaces"] == [{"name": "typing", "owned": False}]


def test_a_private_projects_detail_shows_namespaces_to_its_readers_only(
    client, scene, granted, auth
):
    project = factories.ProjectFactory(name="foo-hush", visibility="private")
    factories.ProjectRoleFactory(project=project, user=scene.alice, role="reader")
    assert get(client, "/simple/foo-hush/", HTTP_ACCEPT=JSON).status_code == 404
    data = get(client, "/simple/foo-hush/", HTTP_ACCEPT=JSON, **auth(scene.alice)).json()
    assert data["namespaces"] == [{"name": "foo", "owned": False}]
