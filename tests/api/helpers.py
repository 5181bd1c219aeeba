"""Credentials for API test requests."""

import base64


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def basic(user: str, password: str) -> dict:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {raw}"}


PROBLEM_KEYS = {"type", "title", "status", "detail"}


def detail(response) -> str:
    """The ``detail`` of an RFC 9457 problem answer, once its shape is checked: the media
    type, the members, ``status`` equal to the answer's, ``title`` its reason phrase."""
    from http import HTTPStatus

    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = response.json()
    assert PROBLEM_KEYS <= set(body) <= PROBLEM_KEYS | {"errors"}, body
    assert body["type"] == "about:blank"
    assert body["status"] == response.status_code
    assert body["title"] == HTTPStatus(response.status_code).phrase
    return body["detail"]
