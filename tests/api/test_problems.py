"""Every API error is an RFC 9457 problem with every field error at once; bodies are bounded
in size (413) and nesting (400), never a 500; unknown fields are 400 and change nothing."""

import json

import pytest
from django.urls import reverse

from tests.api.helpers import detail

PRIVATE = "secret-pkg"


def _patch(api, body: bytes):
    return api.generic(
        "PATCH", reverse("api:project-detail", args=[PRIVATE]), body,
        content_type="application/json",
    )  # fmt: skip


def test_a_misspelt_field_is_refused_and_changes_nothing(api, owner, private_project):
    api.force_login(owner)
    response = _patch(api, b'{"visibilty": "public"}')
    assert response.status_code == 400
    assert detail(response) == "visibilty: Unknown field."
    assert response.json()["errors"] == [{"field": "visibilty", "message": "Unknown field."}]
    private_project.refresh_from_db()
    assert private_project.visibility == "private"


def test_every_field_error_is_reported_at_once(api, owner, private_project):
    api.force_login(owner)
    response = _patch(api, b'{"visibility": "open", "status": "gone", "colour": 1}')
    assert response.status_code == 400
    assert detail(response) == "The request has 3 errors: see errors."
    fields = sorted(error["field"] for error in response.json()["errors"])
    assert fields == ["colour", "status", "visibility"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 3000 + b"]" * 3000, "JSON nested deeper than 32 levels."),
        (b'{"a": ' * 40 + b"1" + b"}" * 40, "JSON nested deeper than 32 levels."),
        (b'{"visibility": NaN}', "The body is not valid JSON: NaN is not JSON"),
        (b"\xff\xfe", None),
        (b"[1, 2]", "Expected a JSON object."),
    ],
)
def test_bodies_that_are_not_json_objects_are_400(api, owner, private_project, body, message):
    api.force_login(owner)
    response = _patch(api, body)
    assert response.status_code == 400
    text = detail(response)
    assert message is None or text == message


def test_brackets_inside_strings_do_not_count_as_nesting(api, owner, private_project):
    api.force_login(owner)
    response = _patch(api, json.dumps({"status_reason": "[" * 100, "status": "archived"}).encode())
    assert response.status_code == 200


def test_a_body_larger_than_the_limit_is_413(api, owner, private_project, settings):
    settings.PRIVINDEX_API_MAX_BODY = 1024
    api.force_login(owner)
    response = _patch(api, json.dumps({"status_reason": "x" * 2000}).encode())
    assert response.status_code == 413
    assert detail(response) == "The request body is larger than 1024 bytes."


def test_deep_json_on_token_creation_is_a_400_not_a_500(api, owner):
    api.force_login(owner)
    response = api.generic(
        "POST", reverse("api:token-list"), b"[" * 6000, content_type="application/json"
    )
    assert response.status_code == 400
    assert detail(response)


def test_nul_bytes_are_problems_too_and_the_404_is_the_api_404(api, db):
    unknown_route = api.get("/api/v1/no-such-thing/")
    in_path = api.get("/api/v1/projects/a%00b/")
    in_query = api.get("/api/v1/projects/?q=a%00b")
    assert in_path.status_code == 404 and in_path.content == unknown_route.content
    assert detail(in_path) == "Not found."
    assert in_query.status_code == 400
    assert detail(in_query) == "Bad request: NUL byte in the query string."


def test_the_api_404_is_the_same_bytes_from_drf_and_from_django(api, db):
    from_drf = api.get("/api/v1/projects/no-such-name/")
    from_django = api.get("/api/v1/no-such-route/")
    assert from_drf.content == from_django.content


def test_a_key_named_twice_and_a_multipart_body_are_refused(api, owner, private_project):
    api.force_login(owner)
    twice = _patch(api, b'{"visibility": "public", "visibility": "private"}')
    assert twice.status_code == 400
    assert "appears twice" in detail(twice)
    multipart = api.post(reverse("api:token-list"), {"scopes": "read", "blob": "x" * 100})
    assert multipart.status_code == 415
    private_project.refresh_from_db()
    assert private_project.visibility == "private"
