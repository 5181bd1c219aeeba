"""The fake PyPI itself (server.py through the fake_pypi fixture): PEP 503/691/700/714 pages,
conditional requests, the knobs, the request log, stopping and starting, and real pip."""

import hashlib
import json
import os
import re
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests.upstream_index.fixtures import IMPOSTOR_MARKER, FakePyPI
from tests.upstream_index.server import negotiate

JSON = "application/vnd.pypi.simple.v1+json"
PIP_ACCEPT = f"{JSON}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
WHEEL_2 = "public_dep-2.0-py3-none-any.whl"
YANKED = "public_dep-2.1-py3-none-any.whl"


def json_page(fake, name, **headers):
    status, response_headers, body = fake.get(f"/simple/{name}/", {"Accept": JSON, **headers})
    assert status == 200, body
    assert response_headers["Content-Type"] == JSON
    return json.loads(body), response_headers


def html_links(body: bytes) -> dict[str, dict[str, str]]:
    """filename -> the anchor's attributes, from an HTML project page."""
    links = {}
    for attrs, text in re.findall(r"<a ([^>]*)>([^<]*)</a>", body.decode()):
        links[text] = dict(re.findall(r'([\w-]+)="([^"]*)"', attrs))
    return links


def test_json_project_page_is_pep_691_with_pep_700_and_714_fields(fake_pypi):
    page, headers = json_page(fake_pypi, "public-dep")
    assert page["meta"]["api-version"] == "1.1"
    assert page["name"] == "public-dep"
    assert page["versions"] == ["1.0", "2.0", "2.1"]
    files = {f["filename"]: f for f in page["files"]}
    assert set(files) == {p.name for p in fake_pypi.files("public-dep")}
    wheel = files[WHEEL_2]
    assert wheel["hashes"] == {"sha256": fake_pypi.sha256(WHEEL_2)}
    assert wheel["size"] == fake_pypi.path(WHEEL_2).stat().st_size
    assert wheel["requires-python"] == ">=3.8"
    assert wheel["yanked"] is False
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", wheel["upload-time"])
    assert wheel["url"] == fake_pypi.file_url(WHEEL_2)
    assert files["public_dep-1.0-py3-none-any.whl"]["requires-python"] is None
    assert files[YANKED]["yanked"] == "broken build"
    assert files["public_dep-2.0.tar.gz"]["core-metadata"] is False
    # PEP 714: the metadata file is served, and its hash is the advertised one.
    status, _, metadata = fake_pypi.get(f"/packages/public-dep/{WHEEL_2}.metadata")
    assert status == 200
    assert wheel["core-metadata"] == {"sha256": hashlib.sha256(metadata).hexdigest()}
    assert wheel["data-dist-info-metadata"] == wheel["core-metadata"]
    assert b"Requires-Python: >=3.8" in metadata
    assert headers["Vary"] == "Accept"


def test_html_project_page_has_hash_fragments_and_data_attributes(fake_pypi):
    status, headers, body = fake_pypi.get("/simple/public-dep/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    links = html_links(body)
    assert set(links) == {p.name for p in fake_pypi.files("public-dep")}
    wheel = links[WHEEL_2]
    assert wheel["href"] == f"{fake_pypi.file_url(WHEEL_2)}#sha256={fake_pypi.sha256(WHEEL_2)}"
    assert wheel["data-requires-python"] == "&gt;=3.8"
    assert wheel["data-core-metadata"].startswith("sha256=")
    assert wheel["data-dist-info-metadata"] == wheel["data-core-metadata"]
    assert "data-yanked" not in wheel
    assert links[YANKED]["data-yanked"] == "broken build"
    assert "data-core-metadata" not in links["public_dep-2.0.tar.gz"]
    assert b'<meta name="pypi:repository-version" content="1.1">' in body


def test_accept_header_chooses_the_format_as_pypi_does(fake_pypi):
    assert negotiate(PIP_ACCEPT) == JSON
    assert negotiate(None) == negotiate("*/*") == "text/html"
    assert negotiate("application/vnd.pypi.simple.latest+json") == JSON
    assert negotiate(f"text/html, {JSON};q=0.5") == "text/html"
    assert negotiate("application/vnd.pypi.simple.v1+html") == "application/vnd.pypi.simple.v1+html"
    assert negotiate("application/xml") is None
    for accept, expected in ((PIP_ACCEPT, JSON), ("text/html", "text/html; charset=utf-8")):
        status, headers, _ = fake_pypi.get("/simple/public-dep/", {"Accept": accept})
        assert (status, headers["Content-Type"]) == (200, expected)
    assert fake_pypi.get("/simple/public-dep/", {"Accept": "application/xml"})[0] == 406


def test_index_page_lists_the_projects(fake_pypi):
    status, _, body = fake_pypi.get("/simple/", {"Accept": JSON})
    assert status == 200
    assert [p["name"] for p in json.loads(body)["projects"]] == [
        "acme-secret", "public-app", "public-dep",
    ]  # fmt: skip
    status, _, body = fake_pypi.get("/simple/")
    assert status == 200
    assert set(html_links(body)) == {"acme-secret", "public-app", "public-dep"}


def test_unknown_names_are_404_and_other_spellings_redirect(fake_pypi):
    assert fake_pypi.get("/simple/no-such-project/")[0] == 404
    assert fake_pypi.get("/packages/no-such-project/x-1.0.tar.gz")[0] == 404
    assert fake_pypi.get("/packages/public-dep/missing-1.0.tar.gz")[0] == 404
    status, headers, _ = fake_pypi.get("/simple/Public_Dep/")
    assert (status, headers["Location"]) == (301, "/simple/public-dep/")
    status, headers, _ = fake_pypi.get("/simple/public-dep")
    assert (status, headers["Location"]) == (301, "/simple/public-dep/")


def test_pages_answer_304_to_if_none_match_and_if_modified_since(fake_pypi):
    _, headers = json_page(fake_pypi, "public-dep")
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    status, again, body = fake_pypi.get(
        "/simple/public-dep/", {"Accept": JSON, "If-None-Match": etag}
    )
    assert (status, body, again["ETag"]) == (304, b"", etag)
    status, _, _ = fake_pypi.get("/simple/public-dep/", {"If-Modified-Since": last_modified})
    assert status == 304
    # The HTML page is another representation: another ETag.
    status, _, _ = fake_pypi.get("/simple/public-dep/", {"If-None-Match": etag})
    assert status == 200
    # A new release changes both validators.
    fake_pypi.add("public-dep", "3.0")
    page, new = json_page(fake_pypi, "public-dep", **{"If-None-Match": etag})
    assert "3.0" in page["versions"]
    assert new["ETag"] != etag
    assert new["Last-Modified"] != last_modified
    status, _, _ = fake_pypi.get(
        "/simple/public-dep/", {"Accept": JSON, "If-Modified-Since": last_modified}
    )
    assert status == 200
    status, _, _ = fake_pypi.get(
        "/simple/public-dep/", {"Accept": JSON, "If-None-Match": new["ETag"]}
    )
    assert status == 304


def test_tamper_serves_other_bytes_under_the_advertised_hash(fake_pypi):
    real = fake_pypi.path(WHEEL_2).read_bytes()
    tampered = fake_pypi.tamper(WHEEL_2)
    assert len(tampered) == len(real) and tampered != real
    page, _ = json_page(fake_pypi, "public-dep")
    advertised = next(f for f in page["files"] if f["filename"] == WHEEL_2)
    assert advertised["hashes"]["sha256"] == hashlib.sha256(real).hexdigest()
    status, _, served = fake_pypi.get(f"/packages/public-dep/{WHEEL_2}")
    assert (status, served) == (200, tampered)
    fake_pypi.untamper(WHEEL_2)
    assert fake_pypi.get(f"/packages/public-dep/{WHEEL_2}")[2] == real


def test_html_only_knob_ignores_the_accept_header(fake_pypi):
    fake_pypi.html_only()
    status, headers, body = fake_pypi.get("/simple/public-dep/", {"Accept": JSON})
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert WHEEL_2 in html_links(body)
    fake_pypi.html_only(False)
    assert json_page(fake_pypi, "public-dep")[0]["name"] == "public-dep"


def test_relative_urls_knob(fake_pypi):
    fake_pypi.relative_urls()
    page, _ = json_page(fake_pypi, "public-dep")
    url = next(f["url"] for f in page["files"] if f["filename"] == WHEEL_2)
    assert url == f"../../packages/public-dep/{WHEEL_2}"
    resolved = urljoin(fake_pypi.page_url("public-dep"), url)
    assert resolved == fake_pypi.file_url(WHEEL_2)
    assert fake_pypi.get(resolved.removeprefix(fake_pypi.base))[0] == 200


def test_status_and_delay_knobs_with_a_path_prefix(fake_pypi):
    fake_pypi.fail(500, "/packages/")
    assert fake_pypi.get(f"/packages/public-dep/{WHEEL_2}")[0] == 500
    assert fake_pypi.get("/simple/public-dep/")[0] == 200
    fake_pypi.fail(503)
    assert fake_pypi.get("/simple/public-dep/")[0] == 503
    fake_pypi.fail(None)
    assert fake_pypi.get("/simple/public-dep/")[0] == 200
    fake_pypi.delay(0.5, "/simple/public-dep/")
    started = time.monotonic()
    assert fake_pypi.get("/simple/public-dep/")[0] == 200
    assert time.monotonic() - started >= 0.5
    started = time.monotonic()
    fake_pypi.get("/simple/public-app/")
    assert time.monotonic() - started < 0.5
    fake_pypi.delay(None)


def test_request_log_records_every_request_by_project(fake_pypi):
    fake_pypi.clear_log()
    fake_pypi.get("/simple/public-dep/", {"Accept": JSON})
    fake_pypi.get(f"/packages/public-dep/{WHEEL_2}")
    fake_pypi.get("/simple/Public.App/")
    fake_pypi.fail(500)
    fake_pypi.get("/simple/no-such-project/")  # logged even when a knob answers
    assert fake_pypi.requests() == [
        "/simple/public-dep/", f"/packages/public-dep/{WHEEL_2}", "/simple/Public.App/",
        "/simple/no-such-project/",
    ]  # fmt: skip
    assert fake_pypi.log()[0]["accept"] == JSON
    assert fake_pypi.requested("public-dep") == [
        "/simple/public-dep/", f"/packages/public-dep/{WHEEL_2}",
    ]  # fmt: skip
    assert fake_pypi.requested("public-dep", "file") == [f"/packages/public-dep/{WHEEL_2}"]
    assert fake_pypi.requested("public_app", "page") == ["/simple/Public.App/"]
    assert fake_pypi.requested("no-such-project")
    assert not fake_pypi.requested("acme-secret")


def test_stop_refuses_connections_and_start_comes_back_on_the_same_port(fake_pypi):
    port = fake_pypi.port
    fake_pypi.get("/simple/public-dep/")
    fake_pypi.stop()
    assert not fake_pypi.running
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    fake_pypi.add("late-pkg", "1.0")  # the directory can change while it is down
    fake_pypi.start()
    assert fake_pypi.port == port
    assert fake_pypi.get("/simple/late-pkg/")[0] == 200
    assert fake_pypi.requests() == ["/simple/public-dep/", "/simple/late-pkg/"]
    with fake_pypi.down():
        assert not fake_pypi.running
    assert fake_pypi.running


def test_impostor_carries_its_marker(fake_pypi):
    import zipfile

    wheel = next(p for p in fake_pypi.files("acme-secret") if p.suffix == ".whl")
    with zipfile.ZipFile(wheel) as archive:
        assert IMPOSTOR_MARKER in archive.read("acme_secret.py").decode()


def test_empty_fake_pypi(empty_fake_pypi):
    assert empty_fake_pypi.get("/simple/public-dep/")[0] == 404
    empty_fake_pypi.add("only-one", "0.1", sdist=False, metadata=False)
    page, _ = json_page(empty_fake_pypi, "only-one")
    assert [f["core-metadata"] for f in page["files"]] == [False]


def test_a_second_instance_is_independent(tmp_path, fake_pypi):
    other = FakePyPI(tmp_path / "other").start()
    try:
        assert other.port != fake_pypi.port
        assert other.get("/simple/public-dep/")[0] == 404
    finally:
        other.stop()


@pytest.mark.e2e
def test_real_pip_downloads_from_it(fake_pypi, tmp_path):
    """pip resolves against the fake as against PyPI: JSON pages, PEP 658 metadata, the
    yanked 2.1 skipped, requires-python honoured, hashes checked, dependencies followed."""
    from tests.e2e.conftest import BIN

    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INPUT": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_CACHE_DIR": "1",
    }
    dest = tmp_path / "downloads"
    proc = subprocess.run(
        [BIN / "pip", "download", "--index-url", fake_pypi.url, "-d", dest, "public-app"],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(p.name for p in Path(dest).iterdir()) == [
        "public_app-1.0-py3-none-any.whl", WHEEL_2,
    ]  # fmt: skip
    assert hashlib.sha256((dest / WHEEL_2).read_bytes()).hexdigest() == fake_pypi.sha256(WHEEL_2)
    pages = [r for r in fake_pypi.log() if r["path"].startswith("/simple/")]
    assert {r["path"] for r in pages} == {"/simple/public-app/", "/simple/public-dep/"}
    assert all(r["accept"].startswith(JSON) for r in pages)
    assert fake_pypi.requested("public-dep", "file") == [
        f"/packages/public-dep/{WHEEL_2}.metadata", f"/packages/public-dep/{WHEEL_2}",
    ]  # fmt: skip
    # A tampered file is refused by pip itself: the fake really advertises the real hash.
    fake_pypi.tamper(WHEEL_2)
    proc = subprocess.run(
        [BIN / "pip", "download", "--no-deps", "--index-url", fake_pypi.url,
         "-d", tmp_path / "tampered", "public-dep"],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "THESE PACKAGES DO NOT MATCH THE HASHES" in proc.stdout + proc.stderr


def test_the_server_exits_when_its_parent_goes(tmp_path):
    """Its stdin is a pipe from the test process: a killed test run leaves no server behind."""
    fake = FakePyPI(tmp_path / "orphan").start()
    try:
        fake.proc.stdin.close()  # what the parent's death does
        assert fake.proc.wait(5) == 0
    finally:
        fake.stop()
