"""The web UI: home, project page, and the forms behind decide() (DESIGN 4)."""

import base64
import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from projects.models import Project, Release
from tests import factories
from tests.e2e.test_readme_snippets import NEVER_SHOWN, SNIPPETS


def _page(name):
    return reverse("web:project", args=[name])


def _basic(secret):
    return "Basic " + base64.b64encode(f"__token__:{secret}".encode()).decode()


# --- home and search ----------------------------------------------------------------------


def test_anonymous_home_lists_only_public_projects(client, private_project, public_project):
    response = client.get(reverse("web:home"))

    assert response.status_code == 200
    assert b"Open-Pkg" in response.content
    assert b"Secret-Pkg" not in response.content


@pytest.mark.parametrize("query", ["pkg", "secret", "Secret-Pkg"])
def test_anonymous_search_never_finds_private_projects(
    client, private_project, public_project, query
):
    response = client.get(reverse("web:home"), {"q": query})

    assert response.status_code == 200
    assert [hit.project.name for hit in response.context["hits"]] == (
        ["Open-Pkg"] if query == "pkg" else []
    )
    assert b'href="/project/secret-pkg/"' not in response.content


def test_reader_home_lists_private_project_with_badge(client, reader):
    client.force_login(reader)

    response = client.get(reverse("web:home"), {"q": "pkg"})

    assert [hit.project.name for hit in response.context["hits"]] == ["Open-Pkg", "Secret-Pkg"]
    assert b'class="badge badge-private"' in response.content
    assert b'class="badge badge-public"' in response.content


# --- project page: read access ------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_private_project_page_is_404_identical_to_unknown_name(
    client, private_project, outsider, who
):
    if who == "outsider":
        client.force_login(outsider)

    private = client.get(_page("secret-pkg"))
    unknown = client.get(_page("no-such-pkg"))

    assert private.status_code == unknown.status_code == 404
    assert private.content == unknown.content
    assert b"secret" not in private.content.lower()
    assert private.headers == unknown.headers
    assert "private" in private["Cache-Control"]


def test_non_normalized_name_redirects_before_any_lookup(client, private_project, public_project):
    public = client.get("/project/Open_Pkg/")
    private = client.get("/project/Secret_Pkg/")
    unknown = client.get("/project/No_Such_Pkg/")

    assert public.status_code == 301
    assert public["Location"] == "/project/open-pkg/"
    # Private and unknown names are redirected alike, then both answer 404.
    assert private.status_code == unknown.status_code == 301
    assert client.get(private["Location"]).content == client.get(unknown["Location"]).content


def test_reader_sees_private_project_without_manage_form(client, reader, private_project):
    client.force_login(reader)

    response = client.get(_page("secret-pkg"))

    assert response.status_code == 200
    assert response.context["can_manage"] is False
    assert response.context["can_yank"] is False
    assert b"/settings/visibility/" not in response.content
    assert reverse("web:project-status", args=["secret-pkg"]).encode() not in response.content
    assert b'name="yanked"' not in response.content


def test_owner_sees_manage_and_yank_forms(client, owner, private_project):
    factories.ReleaseFactory(project=private_project, version="1.0")
    client.force_login(owner)

    response = client.get(_page("secret-pkg"))

    assert response.context["can_manage"] is True
    assert response.context["can_yank"] is True
    assert response.context["can_set_status"] is True
    # Visibility and yanking go through their confirmation pages (issue 10): no one-click form.
    visibility = reverse("settings:visibility", args=["secret-pkg"]) + "?to=public"
    assert visibility.encode() in response.content
    assert b"/project/secret-pkg/visibility/" not in response.content
    assert reverse("web:project-status", args=["secret-pkg"]).encode() in response.content
    assert reverse("settings:yank", args=["secret-pkg", "1.0"]).encode() in response.content
    assert b"/release/1.0/yank/" not in response.content


def test_read_token_sees_private_page_but_gets_no_forms(client, owner, private_project, read_token):
    response = client.get(_page("secret-pkg"), HTTP_AUTHORIZATION=_basic(read_token))

    assert response.status_code == 200
    assert response.context["can_manage"] is False  # forms post with a session, not a token


def test_bad_credentials_are_401_not_anonymous(client, public_project, revoked_token):
    response = client.get(_page("open-pkg"), HTTP_AUTHORIZATION=_basic(revoked_token))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="privindex"'


def test_project_page_shows_releases_newest_first_with_files(client, public_project):
    now = timezone.now()
    old = factories.ReleaseFactory(
        project=public_project, version="1.0", yanked=True, yanked_reason="broken wheel"
    )
    new = factories.ReleaseFactory(
        project=public_project,
        version="2.0",
        summary="<script>alert(1)</script>",
        description_html="<p><strong>Rendered</strong> readme</p>",
    )
    Release.objects.filter(pk=old.pk).update(created=now - dt.timedelta(days=2))
    Release.objects.filter(pk=new.pk).update(created=now - dt.timedelta(days=1))
    # build + save: FileFactory.create trips factory_boy's postgeneration-save warning.
    wheel = factories.FileFactory.build(release=new, size=2048)
    wheel.save()

    response = client.get(_page("open-pkg"))

    assert [r.version for r in response.context["releases"]] == ["2.0", "1.0"]
    body = response.content.decode()
    assert body.index('id="v2.0"') < body.index('id="v1.0"')
    assert wheel.filename in body
    assert wheel.sha256 in body
    assert "2.0\xa0KB" in body
    assert "Yanked: broken wheel" in body
    assert "<p><strong>Rendered</strong> readme</p>" in body  # description_html is trusted
    assert "<script>alert(1)</script>" not in body  # every other field is escaped


def test_install_snippet_for_public_and_private(client, owner, private_project, public_project):
    client.force_login(owner)

    public = client.get(_page("open-pkg")).context["install_command"]
    private = client.get(_page("secret-pkg")).context["install_command"]

    assert public == "pip install --index-url http://testserver/simple/ Open-Pkg"
    assert private == (
        'pip install --index-url "http://__token__:${PRIVINDEX_TOKEN}@testserver/simple/"'
        " Secret-Pkg"
    )


def test_private_install_snippet_is_the_readmes(client, owner, private_project):
    """The README's pip snippet (run by tests/e2e/test_readme_snippets.py) with this server's
    address and the project's name: this index as pip's only index (issue 8, S4.16)."""
    client.force_login(owner)

    shown = client.get(_page("secret-pkg")).context["install_command"]

    readme = SNIPPETS["pip-install"].body.strip()
    assert shown == readme.replace("https://", "http://").replace(
        "index.example.org", "testserver"
    ).replace("acme-widgets", "Secret-Pkg")


@pytest.mark.parametrize("who", ["anonymous", "owner"])
@pytest.mark.parametrize("name", ["open-pkg", "secret-pkg"])
def test_project_page_never_shows_a_second_index(
    client, owner, private_project, public_project, who, name
):
    if who == "owner":
        client.force_login(owner)

    response = client.get(_page(name))

    body = response.content.decode().lower()
    if response.status_code == 200:
        assert "--index-url" in body
    for word in NEVER_SHOWN:
        assert word not in body


# --- forms ------------------------------------------------------------------------------------


def test_owner_makes_project_public_and_anonymous_then_sees_it(client, owner, private_project):
    client.force_login(owner)

    response = client.post(
        reverse("settings:visibility", args=["secret-pkg"]),
        {"to": "public", "confirm_name": "secret-pkg"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/project/secret-pkg/settings/"
    private_project.refresh_from_db()
    assert private_project.visibility == "public"
    event = Event.objects.get(action="project:visibility", project=private_project)
    assert event.actor == owner
    assert event.data == {"previous": "private", "visibility": "public"}
    assert Client().get(_page("secret-pkg")).status_code == 200


def test_owner_sets_deprecated_status_with_reason(client, owner, public_project):
    client.force_login(owner)

    response = client.post(
        reverse("web:project-status", args=["open-pkg"]),
        {"status": "deprecated", "reason": "Use new-pkg instead."},
    )

    assert response.status_code == 302
    public_project.refresh_from_db()
    assert (public_project.status, public_project.status_reason) == (
        "deprecated",
        "Use new-pkg instead.",
    )
    assert b"Use new-pkg instead." in client.get(_page("open-pkg")).content


def test_owner_cannot_quarantine_from_the_web(client, owner, public_project):
    client.force_login(owner)

    response = client.post(
        reverse("web:project-status", args=["open-pkg"]), {"status": "quarantined"}
    )

    assert response.status_code == 400
    public_project.refresh_from_db()
    assert public_project.status == "active"


def test_maintainer_can_yank_but_not_change_visibility(client, maintainer, private_project):
    release = factories.ReleaseFactory(project=private_project, version="1.0")
    client.force_login(maintainer)

    page = client.get(_page("secret-pkg"))
    yank = client.post(
        reverse("settings:yank", args=["secret-pkg", "1.0"]),
        {"confirm": "yes", "reason": "bad build"},
    )
    flip = client.post(
        reverse("settings:visibility", args=["secret-pkg"]),
        {"to": "public", "confirm_name": "secret-pkg"},
    )

    assert (page.context["can_yank"], page.context["can_manage"]) == (True, False)
    assert yank.status_code == 302
    release.refresh_from_db()
    assert (release.yanked, release.yanked_reason) == (True, "bad build")
    assert Event.objects.filter(action="release:yank", actor=maintainer).exists()
    assert flip.status_code == 403
    private_project.refresh_from_db()
    assert private_project.visibility == "private"


def test_maintainer_unyanks(client, maintainer, private_project):
    release = factories.ReleaseFactory(
        project=private_project, version="1.0", yanked=True, yanked_reason="x"
    )
    client.force_login(maintainer)

    response = client.post(
        reverse("settings:unyank", args=["secret-pkg", "1.0"]), {"confirm": "yes"}
    )

    assert response.status_code == 302
    release.refresh_from_db()
    assert (release.yanked, release.yanked_reason) == (False, "")


def test_reader_may_read_but_post_is_403(client, reader, private_project):
    client.force_login(reader)

    response = client.post(
        reverse("web:project-status", args=["secret-pkg"]), {"status": "archived"}
    )

    assert response.status_code == 403
    private_project.refresh_from_db()
    assert private_project.status == "active"


@pytest.mark.parametrize(
    ("url_name", "args", "data"),
    [
        # (the settings pages' own: tests/projects/test_web_settings.py)
        ("web:project-status", ["secret-pkg"], {"status": "archived"}),
        ("web:project-transfer", ["secret-pkg"], {"to": "me"}),
    ],
)
@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_post_to_unreadable_project_is_404(
    client, private_project, outsider, url_name, args, data, who
):
    release = factories.ReleaseFactory(project=private_project, version="1.0")
    if who == "outsider":
        client.force_login(outsider)

    response = client.post(reverse(url_name, args=args), data)
    unknown = client.post(reverse(url_name, args=["no-such-pkg", *args[1:]]), data)

    assert response.status_code == unknown.status_code == 404
    assert response.content == unknown.content
    private_project.refresh_from_db()
    release.refresh_from_db()
    assert (private_project.visibility, private_project.status, release.yanked) == (
        "private",
        "active",
        False,
    )
    assert not Event.objects.filter(project=private_project).exists()


# The project page's own forms (visibility and yanking are the settings pages', each behind a
# confirmation: tests/projects/test_web_settings.py).
FORMS = [
    ("web:project-status", ["open-pkg"], {"status": "archived"}),
]


@pytest.mark.parametrize(("url_name", "args", "data"), FORMS)
def test_anonymous_post_is_sent_to_login_and_back_to_the_project(
    client, public_project, url_name, args, data
):  # decision 0013
    release = factories.ReleaseFactory(project=public_project, version="1.0")

    response = client.post(reverse(url_name, args=args), data)

    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/project/open-pkg/"
    assert not response.has_header("WWW-Authenticate")  # no browser password dialog
    public_project.refresh_from_db()
    release.refresh_from_db()
    assert (public_project.visibility, public_project.status, release.yanked) == (
        "public", "active", False
    )  # fmt: skip


@pytest.mark.parametrize(("url_name", "args", "data"), FORMS)
def test_post_with_bad_credentials_is_still_401(
    client, public_project, revoked_token, url_name, args, data
):  # S4.10: answered before the release is looked up
    response = client.post(
        reverse(url_name, args=args), data, HTTP_AUTHORIZATION=_basic(revoked_token)
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="privindex"'


def _quarantine(project):
    Project.objects.filter(pk=project.pk).update(status="quarantined", status_reason="Held.")


def test_owner_of_a_quarantined_project_gets_no_status_form(client, owner, public_project):
    _quarantine(public_project)
    client.force_login(owner)

    response = client.get(_page("open-pkg"))

    assert (response.context["can_manage"], response.context["can_set_status"]) == (True, False)
    assert response.context["offers_files"] is False
    assert reverse("web:project-status", args=["open-pkg"]).encode() not in response.content
    assert b"An administrator must review it" in response.content
    assert b"Its files are not offered for download." in response.content


def test_superuser_is_offered_the_status_form_of_a_quarantined_project(client, public_project):
    _quarantine(public_project)
    client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))

    page = client.get(_page("open-pkg"))
    released = client.post(reverse("web:project-status", args=["open-pkg"]), {"status": "active"})

    assert page.context["can_set_status"] is True  # what it may post, it is offered
    assert reverse("web:project-status", args=["open-pkg"]).encode() in page.content
    assert b"An administrator must review it" not in page.content
    assert released.status_code == 302
    public_project.refresh_from_db()
    assert (public_project.status, public_project.status_reason) == ("active", "")


def test_forms_require_csrf_token(owner, private_project):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    confirm = {"to": "public", "confirm_name": "secret-pkg"}
    rejected = client.post(reverse("settings:visibility", args=["secret-pkg"]), confirm)
    page = client.get(_page("secret-pkg"))
    accepted = client.post(
        reverse("settings:visibility", args=["secret-pkg"]),
        {**confirm, "csrfmiddlewaretoken": page.context["csrf_token"]},
    )

    assert rejected.status_code == 403
    assert accepted.status_code == 302
    private_project.refresh_from_db()
    assert private_project.visibility == "public"


def test_bad_credentials_are_answered_before_the_spelling_redirect(client, db):  # S4.9
    response = client.get("/project/Some_Name/", HTTP_AUTHORIZATION="Bearer pvi_nonsense")
    assert response.status_code == 401
