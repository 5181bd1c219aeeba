"""File downloads: Range, If-Range, HEAD, ETag, headers (S5.x)."""

import pytest

from tests import factories
from tests.simple_api.helpers import file_with_bytes

PAYLOAD = bytes(range(256)) * 40  # 10240 bytes


@pytest.fixture
def public_file(db):
    project = factories.ProjectFactory(name="dlpkg", visibility="public")
    release = factories.ReleaseFactory(project=project, version="1.0")
    return file_with_bytes(release, PAYLOAD, filename="dlpkg-1.0-py3-none-any.whl")


def url(file):
    return f"/files/{file.storage_key}"


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_full_download_headers(client, public_file):  # S5.4, S5.5, S5.6, S5.10
    response = client.get(url(public_file))
    assert response.status_code == 200
    assert body(response) == PAYLOAD
    assert response["Content-Length"] == str(len(PAYLOAD))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["ETag"] == f'"{public_file.sha256}"'
    assert "Content-Encoding" not in response
    assert response["Cache-Control"] == "public, max-age=365000000, immutable"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, 10239),
        ("bytes=-500", 9740, 10239),
        ("bytes=10000-99999", 10000, 10239),
    ],
)
def test_range_requests(client, public_file, header, start, end):  # S5.6
    response = client.get(url(public_file), HTTP_RANGE=header)
    assert response.status_code == 206
    assert body(response) == PAYLOAD[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(PAYLOAD)}"
    assert response["Content-Length"] == str(end - start + 1)


def test_unsatisfiable_range(client, public_file):
    response = client.get(url(public_file), HTTP_RANGE="bytes=99999-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(PAYLOAD)}"


def test_if_range_match_and_mismatch(client, public_file):  # S5.6 pip resume
    etag = f'"{public_file.sha256}"'
    resumed = client.get(url(public_file), HTTP_RANGE="bytes=5000-", HTTP_IF_RANGE=etag)
    assert resumed.status_code == 206 and body(resumed) == PAYLOAD[5000:]
    stale = client.get(url(public_file), HTTP_RANGE="bytes=5000-", HTTP_IF_RANGE='"other"')
    assert stale.status_code == 200 and body(stale) == PAYLOAD


def test_head_has_length_and_ranges(client, public_file):  # S5.12, uv range probe
    response = client.head(url(public_file))
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(PAYLOAD))
    assert response["Accept-Ranges"] == "bytes"


def test_conditional_get_304(client, public_file):
    response = client.get(url(public_file), HTTP_IF_NONE_MATCH=f'"{public_file.sha256}"')
    assert response.status_code == 304


def test_metadata_for_file_without_metadata_is_404(client, public_file):
    assert client.get(url(public_file) + ".metadata").status_code == 404
