"""Reading upstream pages: PEP 691 JSON and HTML into one shape; hostile content dropped."""

import json

import pytest

from upstream.parse import PageError, parse_html, parse_json

BASE = "https://up.example/simple/demo/"
SHA = "a" * 64


def page(*files, **extra):
    return json.dumps(
        {"meta": {"api-version": "1.1"}, "name": "demo", "files": list(files), **extra}
    ).encode()


def entry(filename="demo-1.0-py3-none-any.whl", url=None, **fields):
    return {"filename": filename, "url": url or f"https://files.example/{filename}",
            "hashes": {"sha256": SHA}, **fields}  # fmt: skip


def test_json_keeps_every_field_a_client_uses():
    fields = {
        "requires-python": ">=3.9",
        "yanked": "bad",
        "size": 12,
        "upload-time": "2026-01-01T00:00:00Z",
        "core-metadata": {"sha256": "b" * 64},
        "hashes": {"sha256": SHA, "md5": "c" * 32},
    }
    status = {"status": "deprecated", "reason": "use other"}
    body = page(entry(**fields), versions=["1.0"], **{"project-status": status})
    data = parse_json("demo", body, BASE)
    (file,) = data["files"]
    assert file["hashes"] == {"sha256": SHA, "md5": "c" * 32}
    assert file["requires-python"] == ">=3.9"
    assert file["yanked"] == "bad"
    assert file["size"] == 12 and file["upload-time"] == "2026-01-01T00:00:00Z"
    assert file["core-metadata"] == {"sha256": "b" * 64}
    assert data["versions"] == ["1.0"]
    assert data["status"] == status


def test_json_understands_the_old_dist_info_metadata_key_and_relative_urls():
    data = parse_json(
        "demo",
        page(entry(url="../../packages/demo-1.0-py3-none-any.whl", **{"dist-info-metadata": True})),
        BASE,
    )
    (file,) = data["files"]
    assert file["url"] == "https://up.example/packages/demo-1.0-py3-none-any.whl"
    # true without a hash: its .metadata could not be checked, so it is not offered
    assert file["core-metadata"] is False


@pytest.mark.parametrize(
    "hostile",
    [
        entry(url="javascript:alert(1)"),
        entry(url="file:///etc/passwd"),
        entry(filename="../../etc/passwd"),
        entry(filename="other_pkg-1.0-py3-none-any.whl"),  # another project's file
        entry(filename="demo-1.0.exe"),  # not a distribution installers use
        entry(filename="demo-1.0-py3-none-any.whl/../x"),
        {"filename": 7, "url": "https://x/"},
        "not a dict",
    ],
)
def test_json_drops_what_is_not_a_file_of_this_project(hostile):
    assert parse_json("demo", page(hostile), BASE)["files"] == []


def test_json_drops_hashes_that_are_not_hex():
    data = parse_json("demo", page(entry(hashes={"sha256": "zz", "md5": "c" * 32})), BASE)
    assert data["files"][0]["hashes"] == {"md5": "c" * 32}


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"files": "x"}'])
def test_json_that_is_not_a_project_page_is_refused(body):
    with pytest.raises(PageError):
        parse_json("demo", body, BASE)


def test_html_reads_anchors_fragments_and_data_attributes():
    html = f"""<!DOCTYPE html><html><head>
    <meta name="pypi:repository-version" content="1.0">
    <meta name="pypi:project-status" content="archived">
    </head><body>
    <a href="https://files.example/demo-1.0-py3-none-any.whl#sha256={SHA}"
       data-requires-python="&gt;=3.8" data-yanked data-core-metadata="sha256={"b" * 64}">x</a>
    <a href="../../p/demo-1.0.tar.gz#sha256={SHA}"
       data-dist-info-metadata="true">demo-1.0.tar.gz</a>
    <a href="javascript:void(0)">demo-2.0.tar.gz</a>
    </body></html>""".encode()
    data = parse_html("demo", html, BASE)
    wheel, sdist = data["files"]
    assert wheel["hashes"] == {"sha256": SHA}
    assert wheel["requires-python"] == ">=3.8"
    assert wheel["yanked"] is True  # a valueless data-yanked: yanked, no reason
    assert wheel["core-metadata"] == {"sha256": "b" * 64}
    assert sdist["url"] == "https://up.example/p/demo-1.0.tar.gz"
    assert sdist["core-metadata"] is False  # "true" without a hash: not offered
    assert data["status"] == {"status": "archived"}
    assert data["versions"] == ["1.0"]
