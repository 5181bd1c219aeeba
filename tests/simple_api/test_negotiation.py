"""PEP 691 content negotiation (S1.31-S1.36)."""

import pytest

from simple_api.negotiation import HTML_V1, JSON_V1, TEXT_HTML, select_content_type


@pytest.mark.parametrize(
    "accept",
    [
        # S1.33 test vectors: pip, uv, poetry
        "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, "
        "text/html; q=0.01",
        "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
        "text/html;q=0.01",
        "application/vnd.pypi.simple.v1+json, */*;q=0.1",
        "text/html;q=0.5, application/vnd.pypi.simple.v1+json",  # order is insignificant
        "application/vnd.pypi.simple.latest+json",  # S1.31 latest -> concrete v1
        "application/vnd.pypi.simple.v1+html, application/vnd.pypi.simple.v1+json",  # tie -> JSON
    ],
)
def test_clients_get_json(accept):
    assert select_content_type(accept) == JSON_V1


@pytest.mark.parametrize("accept", [None, "", "*/*", "text/html", "text/*"])  # S1.34
def test_browsers_and_curl_get_html(accept):
    assert select_content_type(accept) == TEXT_HTML


def test_v1_html_and_latest_html():
    assert select_content_type("application/vnd.pypi.simple.v1+html") == HTML_V1
    assert select_content_type("application/vnd.pypi.simple.latest+html") == HTML_V1


@pytest.mark.parametrize("accept", ["application/xml", "application/json", "text/html;q=0"])
def test_nothing_acceptable_is_none(accept):  # S1.35: the view answers 406
    assert select_content_type(accept) is None


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("application/vnd.pypi.simple.v1+json", JSON_V1),
        ("application/vnd.pypi.simple.latest+json", JSON_V1),
        ("text/html", TEXT_HTML),
        ("application/vnd.pypi.simple.v1+html", HTML_V1),
        ("bogus/type", TEXT_HTML),  # anything else falls back to Accept
    ],
)
def test_format_parameter_overrides_accept(fmt, expected):  # S1.36
    assert select_content_type("text/html", fmt) == expected
