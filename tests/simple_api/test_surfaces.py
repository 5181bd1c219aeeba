"""What the simple index reveals beyond the status table (tests/test_status_table.py): root
listings, redirects of unnormalized names, the work a 404 costs, file URLs.

The scene is ``surface_index`` (tests/conftest.py); callers are catalogue names
(tests.principals).
"""

import pytest


def test_existing_file_under_a_wrong_hash_path_is_unknown(client, surface_index):
    file = surface_index["public"]
    url = f"/files/00/00/{'0' * 60}/{file.filename}"
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("caller", "visible"),
    [
        ("anon", {"public-pkg"}),
        ("read_token", {"public-pkg", "private-pkg"}),
        ("outsider_token", {"public-pkg"}),
        ("token_for_other_project", {"public-pkg"}),
    ],
)
def test_root_index_lists_only_readable_projects(client, surface_index, caller, visible):  # S4.14
    headers = surface_index["cast"].sign_in(client, caller)
    if caller == "token_for_other_project":
        visible = visible | {"elsewhere"}
    response = client.get("/simple/", HTTP_ACCEPT="application/vnd.pypi.simple.v1+json", **headers)
    assert response.status_code == 200
    names = {p["name"] for p in response.json()["projects"]}
    assert names == visible


@pytest.mark.parametrize("caller", ["malformed", "revoked_token", "upload_token"])
def test_root_index_refuses_bad_or_scope_less_credentials(client, surface_index, caller):
    response = client.get("/simple/", **surface_index["cast"].sign_in(client, caller))
    assert response.status_code == (403 if caller == "upload_token" else 401)


def test_redirect_of_unnormalized_name_reveals_nothing(client, surface_index):
    """Any spelling redirects, known or not, private or not: no oracle (S1.4)."""
    for name in ("Private_Pkg", "Ghost_Pkg"):
        response = client.get(f"/simple/{name}/?format=text/html")
        assert response.status_code == 301
        assert response["Location"].endswith(
            f"/simple/{name.lower().replace('_', '-')}/?format=text/html"
        )


def test_bad_credentials_are_refused_before_any_redirect(client, surface_index):  # S4.9
    response = client.get("/simple/Private_Pkg/", HTTP_AUTHORIZATION="Basic ***")
    assert response.status_code == 401


@pytest.mark.parametrize("caller", ["anon", "outsider_token", "token_for_other_project"])
def test_private_and_unknown_names_cost_the_same_queries(
    client, surface_index, caller, django_assert_max_num_queries
):
    """S4.12 asks for similar timing: the work done must not depend on existence."""
    headers = surface_index["cast"].sign_in(client, caller)
    client.get("/simple/", **headers)  # first use of a token writes last_used
    counts = {}
    for name in ("private-pkg", "ghost-pkg"):
        with django_assert_max_num_queries(10) as captured:
            assert client.get(f"/simple/{name}/", **headers).status_code == 404
        counts[name] = len(captured.captured_queries)
    assert counts["private-pkg"] == counts["ghost-pkg"]
