"""The OpenAPI 3.1 schema (drf-spectacular) and its docs page, served from this site only."""

import re

import yaml
from django.urls import reverse


def test_the_schema_is_openapi_3_1_and_describes_every_route_with_problems(client, db):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"] == "3.1.0"
    paths = schema["paths"]
    for path in (
        "/api/v1/projects/",
        "/api/v1/projects/{name}/releases/{version}/files/",
        "/api/v1/orgs/{name}/teams/",
        "/api/v1/projects/{name}/events/",
        "/api/v1/tokens/",
    ):
        assert path in paths, path
    ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(ids) == len(set(ids))  # every operation named once
    listing = paths["/api/v1/projects/"]["get"]["responses"]
    assert "application/problem+json" in listing["401"]["content"]


def test_the_docs_page_loads_nothing_from_another_host(client, db):
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    sources = re.findall(rb'(?:src|href)="([^"]+)"', page.content)
    assert sources
    assert all(not re.match(rb"(https?:)?//", source) for source in sources), sources
    # No inline script or style: the site's CSP holds.
    assert b"<script>" not in page.content and b"<style" not in page.content
