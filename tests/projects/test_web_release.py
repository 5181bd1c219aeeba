"""The release page ``/project/<name>/<version>/``, the files and release history of the
project page, and README images of private projects (issue 10; DESIGN 4)."""

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import Resolver404, resolve, reverse

from projects.models import Project
from simple_api.pages import file_url_path
from tests import dists, factories
from tests.simple_api.helpers import basic, file_with_bytes
from tokens.services import token_issue

PAYLOAD = b"wheel bytes " * 100
EVIL = "https://evil.example/x.png"


def _release(project, version="1.0", **fields):
    release = factories.ReleaseFactory(project=project, version=version, **fields)
    wheel = file_with_bytes(
        release,
        PAYLOAD + version.encode(),
        filename=f"{project.normalized_name.replace('-', '_')}-{version}-py3-none-any.whl",
    )
    return release, wheel


@pytest.fixture
def scene(private_project, public_project):
    """Each project with a release 1.0 and its wheel, whose bytes are in the store."""
    return {
        "secret-pkg": _release(private_project, summary="Secret things")[1],
        "open-pkg": _release(public_project, summary="Open things")[1],
    }


def _who(client, cast, who):
    if who != "anonymous":
        client.force_login(cast.user(who))


def _release_page(name, version="1.0"):
    return reverse("web:release", args=[name, version])


class _Images(HTMLParser):
    """Every <img>'s attributes, read with an HTML parser."""

    def __init__(self):
        super().__init__()
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def _images(html):
    parser = _Images()
    parser.feed(html)
    return parser.images


# --- who may see which page -------------------------------------------------------------------

READABLE = {
    ("anonymous", "open-pkg"): True,
    ("outsider", "open-pkg"): True,
    ("reader", "open-pkg"): True,
    ("owner", "open-pkg"): True,
    ("anonymous", "secret-pkg"): False,
    ("outsider", "secret-pkg"): False,
    ("reader", "secret-pkg"): True,
    ("owner", "secret-pkg"): True,
}


@pytest.mark.parametrize(("who", "name"), READABLE)
def test_every_page_for_every_role(client, cast, scene, reader, who, name):
    _who(client, cast, who)
    wheel = scene[name]

    pages = [reverse("web:project", args=[name]), _release_page(name), _release_page(name, "1")]
    responses = [client.get(page) for page in pages]

    if READABLE[(who, name)]:
        assert [r.status_code for r in responses] == [200, 200, 200]
        for response in responses:
            assert wheel.filename.encode() in response.content
            assert file_url_path(wheel).encode() in response.content
            assert "private" in response["Cache-Control"]
    else:
        assert [r.status_code for r in responses] == [404, 404, 404]
        assert b"secret" not in b"".join(r.content.lower() for r in responses)


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_private_release_page_is_the_404_of_an_unknown_name(client, cast, scene, who):
    _who(client, cast, who)

    answers = [
        client.get(_release_page("secret-pkg")),  # a real version
        client.get(_release_page("secret-pkg", "9.9")),  # a version it does not have
        client.get(_release_page("no-such-pkg")),
        client.get(_release_page("no-such-pkg", "9.9")),
        client.get(reverse("web:project", args=["secret-pkg"])),
        client.get(reverse("web:project", args=["no-such-pkg"])),
    ]

    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1
    assert len({tuple(sorted(r.headers.items())) for r in answers}) == 1


@pytest.mark.parametrize("who", ["reader", "owner"])
@pytest.mark.parametrize("name", ["secret-pkg", "open-pkg"])
def test_unknown_version_of_a_readable_project_is_the_same_404(client, cast, scene, who, name):
    _who(client, cast, who)

    unknown_version = client.get(_release_page(name, "9.9"))
    unknown_name = client.get(_release_page("no-such-pkg", "9.9"))
    unknown_project = client.get(reverse("web:project", args=["no-such-pkg"]))

    assert unknown_version.status_code == unknown_name.status_code == 404
    assert unknown_version.content == unknown_name.content == unknown_project.content


@pytest.mark.parametrize("spelling", ["1.0", "1", "1.0.0", "v1.0", "V1.0.0", "0!1.0"])
def test_any_spelling_of_the_version_finds_the_release(client, scene, spelling):  # PEP 440
    response = client.get(_release_page("open-pkg", spelling))

    assert response.status_code == 200
    assert response.context["release"].version == "1.0"


def test_a_name_spelling_redirects_before_any_lookup(client, scene):
    public = client.get("/project/Open_Pkg/1.0/")
    private = client.get("/project/Secret_Pkg/1.0/")
    unknown = client.get("/project/No_Such_Pkg/1.0/")

    assert public.status_code == private.status_code == unknown.status_code == 301
    assert public["Location"] == "/project/open-pkg/1.0/"
    assert client.get(private["Location"]).content == client.get(unknown["Location"]).content


def test_bad_credentials_are_401_on_the_release_page(client, scene, revoked_token):  # S4.9
    response = client.get(_release_page("open-pkg"), **basic(revoked_token))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="privindex"'


def test_a_read_token_sees_the_private_release_page(client, scene, read_token):
    response = client.get(_release_page("secret-pkg"), **basic(read_token))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/project/open-pkg/history/",
        "/project/open-pkg/visibility/",
        "/project/open-pkg/settings/",
        "/project/open-pkg/release/1.0/yank/",
    ],
)
def test_the_projects_other_pages_are_never_read_as_a_version(path):
    try:
        match = resolve(path)
    except Resolver404:  # a page not mounted (yet) is not a release page either
        return
    assert match.url_name != "release"


# --- what the release page shows --------------------------------------------------------------


def test_release_page_shows_metadata_dependencies_yank_and_files(client, public_project):
    _, wheel = _release(
        public_project,
        "2.0",
        summary="Widgets <b>for all</b>",
        requires_python=">=3.11",
        requires_dist=["requests>=2.31", 'rich; extra == "cli"'],
        provides_extra=["cli"],
        yanked=True,
        yanked_reason="Broken on Windows",
        description_html="<h1>Readme title</h1>",
    )

    response = client.get(_release_page("open-pkg", "2.0"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Widgets &lt;b&gt;for all&lt;/b&gt;" in body  # metadata is escaped
    assert "<h1>Readme title</h1>" in body  # the README as rendered at upload
    assert "&gt;=3.11" in body
    assert "requests&gt;=2.31" in body
    assert "rich; extra == &quot;cli&quot;" in body
    assert 'class="badge badge-yanked"' in body
    assert "Broken on Windows" in body
    assert f'href="{file_url_path(wheel)}"' in body
    assert wheel.sha256 in body
    assert wheel.blake2_256 in body
    assert "1.2\xa0KB" in body
    assert "Wheel" in body
    assert wheel.upload_time.strftime("%Y-%m-%d %H:%M") in body
    assert response.context["install_command"] == (
        "pip install --index-url http://testserver/simple/ Open-Pkg==2.0"
    )


def test_release_page_points_to_the_current_release(client, public_project):
    _release(public_project, "1.0")
    _release(public_project, "2.0")
    _release(public_project, "3.0rc1")  # a pre-release is not the current release

    old = client.get(_release_page("open-pkg", "1.0"))
    current = client.get(_release_page("open-pkg", "2.0"))

    assert old.context["latest"].version == "2.0"
    assert (old.context["is_latest"], current.context["is_latest"]) == (False, True)
    assert reverse("web:release", args=["open-pkg", "2.0"]).encode() in old.content


def test_private_install_snippet_of_a_release_is_the_single_index_form(client, owner, scene):
    client.force_login(owner)

    response = client.get(_release_page("secret-pkg"))

    assert response.context["install_command"] == (
        'pip install --index-url "http://__token__:${PRIVINDEX_TOKEN}@testserver/simple/"'
        " Secret-Pkg==1.0"
    )
    assert b"--extra-index-url" not in response.content
    assert f'href="{reverse("accounts:tokens")}">create a token</a>'.encode() in response.content


# --- files and downloads ----------------------------------------------------------------------


@pytest.mark.parametrize(("who", "name"), [("reader", "secret-pkg"), ("anonymous", "open-pkg")])
def test_the_download_links_download(client, cast, scene, reader, who, name):
    _who(client, cast, who)

    for page in (reverse("web:project", args=[name]), _release_page(name)):
        files = client.get(page).context["files"]
        [(file, url)] = files
        download = client.get(url)

        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PAYLOAD + b"1.0"
        assert download["ETag"] == f'"{file.sha256}"'


def test_an_outsider_cannot_follow_a_private_link(client, outsider, scene):
    client.force_login(outsider)

    assert client.get(file_url_path(scene["secret-pkg"])).status_code == 404


def test_a_quarantined_project_offers_no_files(client, owner, scene):
    Project.objects.filter(normalized_name="open-pkg").update(status="quarantined")
    client.force_login(owner)

    for page in (reverse("web:project", args=["open-pkg"]), _release_page("open-pkg")):
        response = client.get(page)

        assert response.status_code == 200
        assert response.context["offers_files"] is False
        assert response.context["files"] == []
        assert scene["open-pkg"].filename.encode() not in response.content
        assert b"/files/" not in response.content
        assert b"Its files are not offered for download." in response.content


# --- the project page: current release's files, history ---------------------------------------


def test_project_page_history_links_every_release_and_marks_yanked_ones(client, public_project):
    _release(public_project, "1.0", yanked=True, yanked_reason="bad build")
    _release(public_project, "2.0", summary="The current one")
    _, pre = _release(public_project, "3.0b1")

    response = client.get(reverse("web:project", args=["open-pkg"]))

    body = response.content.decode()
    assert response.context["latest"].version == "2.0"  # release_latest: no pre-release
    for version in ("1.0", "2.0", "3.0b1"):
        assert f'href="{reverse("web:release", args=["open-pkg", version])}"' in body
    assert "Yanked: bad build" in body
    assert "The current one" in body
    # The files shown are the current release's only; the others are on their pages.
    [(file, _)] = response.context["files"]
    assert file.release.version == "2.0"
    assert pre.filename not in body


def test_project_page_without_releases(client, public_project):
    response = client.get(reverse("web:project", args=["open-pkg"]))

    assert response.status_code == 200
    assert response.context["latest"] is None
    assert b"No releases yet." in response.content


def test_page_query_counts_do_not_grow_with_releases(
    client, reader, public_project, django_assert_max_num_queries
):
    client.force_login(reader)
    for n in range(12):
        _release(public_project, f"1.{n}", description_html=f"<p>readme {n}</p>")

    # 9, and the signed-in session's two-factor check (accounts.middleware): one query.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("web:project", args=["open-pkg"])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(_release_page("open-pkg", "1.3")).status_code == 200


# --- README images of private projects --------------------------------------------------------

HOSTILE_SOURCES = [
    EVIL,
    "HTTPS://evil.example/x.png",
    "//evil.example/x.png",
    "\\\\evil.example/x.png",
    "/\\evil.example/x.png",
    " https://evil.example/x.png",
    "ht\ttps://evil.example/x.png",
    "http://evil.example:8080/x.png",
]


def _readme(*sources):
    images = "".join(f'<img src="{src}" alt="image {n}">' for n, src in enumerate(sources))
    return (
        f'<p>Intro <a href="https://evil.example/docs" rel="nofollow">docs</a></p><p>{images}</p>'
    )


@pytest.mark.parametrize("page", ["project", "release"])
def test_private_readme_loads_no_image_from_another_host(client, reader, private_project, page):
    _release(private_project, description_html=_readme(*HOSTILE_SOURCES, "docs/local.png"))
    client.force_login(reader)
    url = (
        reverse("web:project", args=["secret-pkg"])
        if page == "project"
        else _release_page("secret-pkg")
    )

    response = client.get(url)

    readme = str(response.context["readme_html"])
    images = _images(readme)
    assert len(images) == len(HOSTILE_SOURCES) + 1
    assert [img.get("src") for img in images] == [None] * len(HOSTILE_SOURCES) + ["docs/local.png"]
    assert [img["alt"] for img in images[:2]] == ["image 0", "image 1"]  # the alt text stays
    assert response.context["images_blocked"] == len(HOSTILE_SOURCES)
    assert b"not shown: this project is not open to everyone" in response.content
    assert 'href="https://evil.example/docs"' in readme  # a link loads nothing until followed
    for img in _images(response.content.decode()):
        assert "evil" not in img.get("src", "")


def test_public_readme_keeps_its_remote_images(client, public_project):
    _release(public_project, description_html=_readme(EVIL))

    response = client.get(reverse("web:project", args=["open-pkg"]))

    assert response.context["images_blocked"] == 0
    assert [img["src"] for img in _images(response.content.decode())] == [EVIL]


def test_every_readme_loses_empty_permalinks_and_code_languages(client, public_project):
    """What screen readers stumble on (axe: link-name, valid-lang), public READMEs too: the
    headings' empty anchors stop being links, code blocks lose lang=python; an author's own
    link to a section stays."""
    stored = (
        '<h2><a href="#user-content-usage" rel="nofollow"></a>Usage</h2>'
        '<pre lang="python"><code>x = 1</code></pre><p><a href="#usage">see</a></p>'
    )
    _release(public_project, description_html=stored)

    readme = str(client.get(reverse("web:project", args=["open-pkg"])).context["readme_html"])

    assert "user-content-" not in readme and "lang=" not in readme
    assert '<a href="#usage"' in readme and "<code>x = 1</code>" in readme


def test_a_closed_index_treats_every_readme_as_private(client, reader, public_project, settings):
    settings.PRIVINDEX_ANONYMOUS_READ = False  # nobody reads without signing in
    _release(public_project, description_html=_readme(EVIL))
    client.force_login(reader)

    response = client.get(reverse("web:project", args=["open-pkg"]))

    assert [img.get("src") for img in _images(str(response.context["readme_html"]))] == [None]


def test_rerendering_keeps_what_the_upload_sanitizer_kept(client, reader, private_project):
    kept = (
        '<h2 id="usage">Usage</h2><pre><code class="language-python">x = 1'
        '</code></pre><table><tbody><tr><td align="left">a</td></tr></tbody></table>'
        '<p><img src="img/logo.png" alt="logo" width="40"></p>'
    )
    _release(private_project, description_html=kept)
    client.force_login(reader)

    readme = str(client.get(reverse("web:project", args=["secret-pkg"])).context["readme_html"])

    assert readme == kept


def test_an_uploaded_markdown_readme_of_a_private_project(client, db):
    """Through a real upload: readme_renderer renders, the page drops the remote image."""
    user = factories.UserFactory(username="uploader")
    secret = token_issue(user=user, scopes=["upload", "read"], actor=None).secret
    filename, content = dists.make_wheel("img-pkg", "1.0")
    fields = dists.upload_fields(
        filename,
        content,
        description=f"# Title\n\n![logo]({EVIL})\n\n![local](docs/a.png)\n",
        description_content_type="text/markdown",
    )
    fields["content"] = SimpleUploadedFile(filename, content, "application/octet-stream")
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post("/legacy/", fields, **basic(secret)).status_code == 200
    assert Project.objects.get(normalized_name="img-pkg").visibility == "private"

    page = Client().get(reverse("web:project", args=["img-pkg"]), **basic(secret))

    assert page.status_code == 200
    images = _images(page.content.decode())
    assert [(img.get("src"), img["alt"]) for img in images] == [
        (None, "logo"),
        ("docs/a.png", "local"),
    ]


@pytest.mark.parametrize("page", ["project", "release"])
def test_only_a_public_readme_may_load_remote_images_by_policy(client, owner, scene, page):
    client.force_login(owner)

    def img_src(name):
        url = reverse("web:project", args=[name]) if page == "project" else _release_page(name)
        policy = client.get(url)["Content-Security-Policy"]
        [directive] = [d.split()[1:] for d in policy.split(";") if d.split()[:1] == ["img-src"]]
        return directive

    assert "https:" in img_src("open-pkg")
    assert "https:" not in img_src("secret-pkg")
