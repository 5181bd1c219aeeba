"""The pages the maintainer's flow does not open, scanned like the ones it does: axe-core with
no serious or critical violation and no sideways scroll, at the desktop width and at 375 px,
and no Content-Security-Policy violation (tests/browser/conftest.py, ``Browser.scan``).

One scene, with what makes the pages full: an organization with a member, a team and an
invitation; a public project of it with two releases (one yanked), an sdist, a README and
dependencies; a private personal project whose README has a remote image (held back);
tokens, one revoked; enough projects for the list to have a second page. Each page is opened
as someone who sees it whole: the owner, or nobody for the pages of the signed out.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.services import (
    invitation_create,
    organization_create,
    organization_member_set,
    team_create,
    team_member_add,
)
from projects import views as project_views
from projects.models import Project, Release
from projects.services.projects import project_visibility_set
from projects.services.releases import release_yank_set
from projects.services.roles import project_role_set, team_project_role_set
from tests import dists, factories
from tests.simple_api.uploading import post
from tokens.services import token_issue, token_revoke

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

README = """# Acme widgets

Widgets for **every** occasion. See [the guide](https://example.org/guide) and `acme.widgets`.

![diagram](https://images.example.org/diagram.png)

| option | default |
|--------|---------|
| size   | 3       |

```python
import acme_widgets
```
"""


def upload(secret: str, name: str, version: str, *, sdist: bool = False, **fields) -> None:
    builder = dists.make_sdist if sdist else dists.make_wheel
    filename, content = builder(
        name, version, requires_python=">=3.9", requires_dist=["requests>=2.31", "rich"]
    )
    response = post(
        Client(),
        filename,
        content,
        secret,
        description=README,
        description_content_type="text/markdown",
        **fields,
    )
    assert response.status_code == 200, response.content


@pytest.fixture
def scene(monkeypatch):
    alice = factories.UserFactory(username="alice")
    bob = factories.UserFactory(username="bob")
    acme = organization_create(name="Acme", owner=alice, actor=alice)
    organization_member_set(organization=acme, user=bob, role="member", actor=alice)
    team = team_create(organization=acme, name="release managers", actor=alice)
    team_member_add(team=team, user=bob, actor=alice)
    invitation_create(organization=acme, role="member", email="carol@example.org", actor=alice)

    to_acme = token_issue(user=None, organization=acme, scopes=["upload"], actor=alice).secret
    upload(to_acme, "acme-widgets", "1.0", summary="Widgets, the first ones")
    upload(to_acme, "acme-widgets", "1.1", summary="Widgets for every occasion")
    upload(to_acme, "acme-widgets", "1.1", sdist=True, summary="Widgets for every occasion")
    widgets = Project.objects.get(normalized_name="acme-widgets")
    project_visibility_set(project=widgets, visibility="public", actor=alice)
    release_yank_set(
        release=Release.objects.get(project=widgets, version="1.0"),
        yanked=True,
        reason="broken on Python 3.13",
        actor=alice,
    )
    team_project_role_set(project=widgets, team=team, role="maintainer", actor=alice)

    mine = token_issue(user=alice, scopes=["upload", "read"], name="laptop", actor=alice).secret
    upload(mine, "alice-notes", "0.3", summary="Private notes")
    notes = Project.objects.get(normalized_name="alice-notes")
    project_role_set(project=notes, user=bob, role="reader", actor=alice)
    token_issue(user=alice, scopes=["read"], name="deploy", projects=[notes], actor=alice)
    old = token_issue(user=alice, scopes=["read"], name="old laptop", actor=alice)
    token_revoke(token=old.token, actor=alice)
    for n in range(3):
        factories.ProjectFactory(name=f"widget-extra-{n}", visibility="public")
    monkeypatch.setattr(project_views, "SEARCH_LIMIT", 2)  # a second page with few projects
    return {"alice": alice, "bob": bob}


def signed_out_pages() -> list[tuple[str, str, int]]:
    return [
        ("home", reverse("web:home"), 200),
        ("search", reverse("web:home") + "?q=widgets", 200),
        ("search, page 2", reverse("web:home") + "?q=widget&page=2", 200),
        ("public project", reverse("web:project", args=["acme-widgets"]), 200),
        ("release", reverse("web:release", args=["acme-widgets", "1.1"]), 200),
        ("yanked release", reverse("web:release", args=["acme-widgets", "1.0"]), 200),
        ("sign-in", reverse("accounts:login"), 200),
        ("password reset", reverse("accounts:password-reset"), 200),
        ("404, private project", reverse("web:project", args=["alice-notes"]), 404),
        ("404, no such page", "/no/such/page/", 404),
    ]


def signed_in_pages() -> list[tuple[str, str, int]]:
    return [
        ("home", reverse("web:home"), 200),
        ("dashboard", reverse("web:dashboard"), 200),
        ("organization project", reverse("web:project", args=["acme-widgets"]), 200),
        ("private project", reverse("web:project", args=["alice-notes"]), 200),
        ("private release", reverse("web:release", args=["alice-notes", "0.3"]), 200),
        ("settings", reverse("settings:index", args=["acme-widgets"]), 200),
        ("settings, personal", reverse("settings:index", args=["alice-notes"]), 200),
        ("yank", reverse("settings:yank", args=["acme-widgets", "1.1"]), 200),
        ("un-yank", reverse("settings:unyank", args=["acme-widgets", "1.0"]), 200),
        ("remove", reverse("settings:user-remove", args=["alice-notes", "bob"]), 200),
        (
            "delete a file",
            reverse(
                "settings:file-delete",
                args=["acme-widgets", "1.1", "acme_widgets-1.1-py3-none-any.whl"],
            ),
            200,
        ),
        ("delete a release", reverse("settings:release-delete", args=["acme-widgets", "1.0"]), 200),
        ("delete the project", reverse("settings:project-delete", args=["alice-notes"]), 200),
        ("history", reverse("audit:project-history", args=["acme-widgets"]), 200),
        ("tokens", reverse("accounts:tokens"), 200),
        ("organizations", reverse("orgs:list"), 200),
        ("organization", reverse("orgs:detail", args=["acme"]), 200),
        ("organization tokens", reverse("orgs:tokens", args=["acme"]), 200),
        ("organization audit", reverse("audit:organization-log", args=["acme"]), 200),
        ("account", reverse("accounts:overview"), 200),
        ("password change", reverse("accounts:password-change"), 200),
        ("two-factor authentication", reverse("mfa_index"), 200),
        ("sessions", reverse("usersessions_list"), 200),
        ("404, no such project", reverse("web:project", args=["no-such-project"]), 404),
    ]


def test_the_pages_of_the_signed_out_pass_the_scan(browser, scene):
    for label, path, status in signed_out_pages():
        browser.visit(path, status=status, label=f"{label} ({path})")
        browser.screenshot(label, narrow=True)
    browser.assert_clean(known=True)  # the public project's README


def test_the_pages_of_a_signed_in_owner_pass_the_scan(browser, scene):
    browser.sign_in_as(scene["alice"])
    for label, path, status in signed_in_pages():
        browser.visit(path, status=status, label=f"{label} ({path})")
        browser.screenshot(label, narrow=True)
    browser.assert_clean(known=True)  # the READMEs


def test_the_checks_catch_a_csp_violation_an_axe_violation_and_a_sideways_scroll(browser, db):
    """The checks above are not vacuous: an image from another host (refused by the
    Content-Security-Policy, and without alt text) and a box wider than the phone are found."""
    browser.visit(reverse("accounts:login"))
    browser.page.evaluate(
        """() => {
            const main = document.querySelector("main");
            const image = document.createElement("img");
            image.src = "https://elsewhere.example/pixel.png";
            const box = document.createElement("div");
            box.className = "too-wide";
            box.style.width = "600px";  // the CSSOM, which the policy allows
            box.textContent = "wide";
            main.append(image, box);
        }"""
    )
    browser.page.wait_for_timeout(200)  # the refused load reaches the console
    browser.scan("the sign-in page, spoiled")
    with pytest.raises(AssertionError) as caught:
        browser.assert_clean()
    report = str(caught.value)
    assert "CSP violation" in report
    assert "elsewhere.example/pixel.png" in report.split("accessibility:")[0]
    assert "image-alt (critical" in report
    assert "scrolls sideways at 375 px" in report
    assert "div.too-wide" in report
