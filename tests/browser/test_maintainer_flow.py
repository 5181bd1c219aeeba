"""Issue 10's browser test: a maintainer does everything in the browser, with nothing but the
clients the issue names (twine to upload, pip to install), as someone who never read the docs.

1. signs in, sets up an authenticator app, signs out, and signs in again with password and code;
2. creates an upload token and uploads a freshly built wheel with twine, with the secret read
   from the page;
3. sees the project's page;
4. makes it public through the typed confirmation: anonymous pip installs it;
5. makes it private again: anonymous pip no longer does;
6. creates a read token and copies the snippets the page shows (its Copy buttons, through the
   clipboard) into a shell: they install the project;
7. revokes the token through its confirmation page: the same snippet now fails;
8. adds a colleague as a maintainer in the project's settings;
9. finds in the project's history who made it public and private and who added the
   colleague, and in their own activity who created and revoked the read token.

Every page on the way is scanned (axe-core, and no sideways scroll at 375 px) and must raise no
Content-Security-Policy violation; each step leaves a screenshot in the artefacts directory
(tests/browser/conftest.py).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from playwright.sync_api import expect

from tests import dists, factories
from tests.e2e.conftest import BIN

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

USERNAME = "mia"
PASSWORD = "correct horse battery"  # the factories' password
PROJECT = "mia-toolkit"
VERSION = "1.0.0"
TOTP_PERIOD = 30  # allauth's default (MFA_TOTP_PERIOD)


@pytest.fixture
def maintainer_account(db):
    return factories.UserFactory(username=USERNAME)


@pytest.fixture
def colleague(db):
    return factories.UserFactory(username="noor")


@pytest.fixture
def wheel(tmp_path) -> Path:
    filename, content = dists.make_wheel(PROJECT, VERSION, requires_python=">=3.8")
    path = tmp_path / "dist" / filename
    path.parent.mkdir()
    path.write_bytes(content)
    return path


@pytest.fixture
def pip_install(run, index, tmp_path):
    """pip as an anonymous user types it, into a fresh target directory each time (no cache:
    the e2e environment sets ``PIP_NO_CACHE_DIR``)."""
    targets = iter(range(100))

    def install() -> tuple[bool, str, Path]:
        target = tmp_path / f"anonymous-{next(targets)}"
        result = run(
            BIN / "pip", "install", "--no-deps", "--target", target, "--index-url",
            index.simple(), PROJECT,
        )  # fmt: skip
        return result.ok, result.output, target

    return install


def totp_code(secret: str, *, not_counter: int | None = None) -> tuple[str, int]:
    """The authenticator app's code now, and its time step. Waits for the next step when this
    one ends within two seconds (the server would see the next one), or when it is
    ``not_counter`` (a code once used is refused)."""
    while True:
        now = time.time()
        counter = int(now) // TOTP_PERIOD
        if TOTP_PERIOD - now % TOTP_PERIOD > 2 and counter != not_counter:
            return format_hotp_value(hotp_value(secret, counter)), counter
        time.sleep(TOTP_PERIOD - now % TOTP_PERIOD + 0.05)


def sign_in(browser, *, secret: str | None = None) -> None:
    """The sign-in form, then the code of the two-factor stage when ``secret`` is given."""
    browser.visit(reverse("accounts:login"))
    page = browser.page
    page.fill("input[name=login]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    browser.follow(page.locator("input[name=password]"), key="Enter")
    if secret is None:
        return
    assert browser.path().startswith(reverse("mfa_authenticate")), browser.path()
    browser.scan()
    code, counter = totp_code(secret)
    page.fill("input[name=code]", code)
    browser.follow(page.locator("input[name=code]"), key="Enter")
    if browser.path().startswith(reverse("mfa_authenticate")):
        # Refused: allauth takes a code once, and this time step's may have been spent. The
        # app's next code is taken.
        browser.scan("the code refused")
        code, _ = totp_code(secret, not_counter=counter)
        page.fill("input[name=code]", code)
        browser.follow(page.locator("input[name=code]"), key="Enter")


def signed_in_as(browser) -> str:
    return browser.page.locator(".topbar .who").inner_text().strip()


def snippet_by_copy(browser, name: str) -> str:
    """What a user pastes after pressing the Copy button under the snippet ``name``."""
    button = browser.page.locator(f"pre.snippet[data-snippet='{name}'] + button.copy")
    button.click()
    expect(button).to_have_text("Copied")
    return browser.page.evaluate("navigator.clipboard.readText()")


def test_a_maintainer_signs_in_with_2fa_publishes_shares_and_revokes_in_the_browser(
    browser, maintainer_account, colleague, wheel, run, twine, pip_install, tmp_path
):
    page = browser.page

    # 1. Sign in, set up the authenticator app, sign out, sign in with the code.
    sign_in(browser)
    assert signed_in_as(browser) == USERNAME
    browser.scan()
    browser.visit(reverse("mfa_index"))
    browser.follow(page.locator(f"a[href='{reverse('mfa_activate_totp')}']").first)
    if browser.path().startswith(reverse("account_reauthenticate")):
        # Setting up two-factor authentication asks for the password again.
        browser.scan()
        page.fill("input[name=password]", PASSWORD)
        browser.follow(page.locator("input[name=password]"), key="Enter")
    assert browser.path() == reverse("mfa_activate_totp")
    browser.scan()
    secret = page.input_value("#authenticator_secret")
    code, _ = totp_code(secret)
    page.fill("input[name=code]", code)
    browser.follow(page.locator("input[name=code]"), key="Enter")
    assert browser.path() != reverse("mfa_activate_totp"), page.content()
    browser.scan()  # the recovery codes, or the two-factor page
    browser.screenshot("1 two-factor authentication is on")
    browser.follow(page.locator(".topbar form[action$='/logout/'] [type=submit]"))
    assert not page.locator(".topbar .who").count()
    browser.scan()
    sign_in(browser, secret=secret)
    assert signed_in_as(browser) == USERNAME, browser.path()
    browser.scan()
    browser.screenshot("1 signed in with password and code")

    # 2. An upload token from the tokens page, and twine with the secret the page shows.
    browser.follow(page.get_by_role("link", name="Tokens").first)
    assert browser.path() == reverse("accounts:tokens")
    browser.scan()
    page.get_by_label("Name", exact=True).fill("laptop upload")
    page.locator("input[name=scopes][value=read]").uncheck()
    page.locator("input[name=scopes][value=upload]").check()
    browser.follow(page.get_by_role("button", name="Create token"))
    browser.scan("the new upload token")
    upload_secret = page.locator("pre.secret code").inner_text().strip()
    assert upload_secret.startswith("pvi_")
    browser.screenshot("2 upload token created")
    result = twine(upload_secret, wheel)
    assert result.ok, result.output

    # 3. The project's page: private, the version, the file.
    browser.visit(reverse("web:project", args=[PROJECT]))
    assert page.locator("h1").inner_text().startswith(PROJECT)
    assert VERSION in page.locator("h1").inner_text()
    assert page.locator(".badges .badge-private").count() == 1
    assert page.get_by_role("link", name=wheel.name).count() >= 1
    browser.screenshot("3 the project page")

    # 4. Public through the confirmation: anonymous pip installs it.
    ok, output, _ = pip_install()
    assert not ok, output  # private so far
    set_visibility(browser, "public")
    browser.screenshot("4 made public")
    ok, output, target = pip_install()
    assert ok, output
    assert (target / "mia_toolkit.py").read_text() == f'VERSION = "{VERSION}"\n'

    # 5. Private again: anonymous pip finds nothing.
    set_visibility(browser, "private")
    browser.screenshot("5 made private again")
    ok, output, target = pip_install()
    assert not ok, output
    assert not (target / "mia_toolkit.py").exists()

    # 6. A read token for the project; its snippets, copied from the page, install it.
    browser.visit(reverse("accounts:tokens"))
    page.get_by_label("Name", exact=True).fill("deploy read")
    page.locator(f"input[name=chosen][value='{PROJECT}']").check()
    browser.follow(page.get_by_role("button", name="Create token"))
    browser.scan("the new read token")
    browser.screenshot("6 read token created")
    copied = [snippet_by_copy(browser, name) for name in ("export-read", "pip-install")]
    shown = [
        page.locator(f"pre.snippet[data-snippet='{name}'] code").inner_text()
        for name in ("export-read", "pip-install")
    ]
    assert copied == shown
    assert "pvi_" in copied[0]
    # The token is restricted to the project, so the snippet names it. Pasted as it is: only
    # the target directory (not the user's site-packages) and --no-deps are added.
    assert copied[1].endswith(f" {PROJECT}"), copied[1]
    script = "\n".join(copied)
    installs = iter(range(10))

    def paste_and_run() -> tuple[bool, str, Path]:
        target = tmp_path / f"snippet-{next(installs)}"
        result = run("bash", "-ec", f"{script} --no-deps --target {target}")
        return result.ok, result.output, target

    ok, output, target = paste_and_run()
    assert ok, output
    assert (target / "mia_toolkit.py").exists()

    # 7. Revoked after its confirmation page: the same snippet fails, installing nothing.
    row = page.locator("table.tokens tr", has_text="deploy read")
    browser.follow(row.get_by_role("link", name="Revoke"))
    browser.scan("the revoke confirmation")
    browser.screenshot("7 revoke confirmation")
    browser.follow(page.get_by_role("button", name="Revoke it"))
    assert browser.path() == reverse("accounts:tokens")
    assert "Revoked" in page.locator("table.tokens tr", has_text="deploy read").text_content()
    browser.scan("the tokens after revoking")
    browser.screenshot("7 token revoked")
    ok, output, target = paste_and_run()
    assert not ok, output
    assert "401" in output, output
    assert not (target / "mia_toolkit.py").exists()

    # 8. A colleague becomes a maintainer, from the settings page.
    browser.visit(reverse("settings:index", args=[PROJECT]))
    page.get_by_label("Add a user").fill(colleague.username)
    page.locator("#add-role").select_option("maintainer")
    browser.follow(page.get_by_role("button", name="Add", exact=True))
    browser.scan("the settings with the colleague")
    assert page.get_by_label(f"Role of {colleague.username}").input_value() == "maintainer"
    browser.screenshot("8 colleague added as maintainer")

    # 9. Who did each of these: the project's history, from its settings; the tokens, in the
    # maintainer's own activity, from the account page.
    browser.follow(page.get_by_role("link", name="History (audit log)"))
    assert browser.path() == reverse("audit:project-history", args=[PROJECT])
    browser.scan("the project's history")
    browser.screenshot("9 the project's history")
    rows = page.locator("table tbody tr")
    done = [" ".join(rows.nth(i).inner_text().split()) for i in range(rows.count())]
    visibility = [row for row in done if "project:visibility" in row]
    assert len(visibility) == 2 and all(USERNAME in row for row in visibility), done
    granted = [row for row in done if "role" in row and colleague.username in row]
    assert granted and USERNAME in granted[0], done
    browser.follow(page.get_by_role("link", name="Account").first)
    browser.follow(page.get_by_role("link", name="Activity").first)
    assert browser.path() == reverse("audit:account-activity")
    browser.scan("the maintainer's activity")
    browser.screenshot("9 the maintainer's activity")
    mine = page.locator("table tbody").inner_text()
    assert "token:issue" in mine and "token:revoke" in mine and "user:mfa-added" in mine

    browser.assert_clean()


def set_visibility(browser, to: str) -> None:
    """From the project's page: its settings, the Make …… button, the typed confirmation."""
    page = browser.page
    browser.visit(reverse("web:project", args=[PROJECT]))
    browser.follow(page.get_by_role("link", name="Settings").first)
    assert browser.path() == reverse("settings:index", args=[PROJECT])
    browser.scan()
    browser.follow(page.get_by_role("button", name=f"Make {to}"))
    assert browser.path().startswith(reverse("settings:visibility", args=[PROJECT]))
    browser.scan(f"the confirmation to make it {to}")
    page.get_by_label("to confirm").fill(PROJECT)
    browser.follow(page.get_by_role("button", name=f"Make {PROJECT} {to}"))
    assert browser.path() == reverse("settings:index", args=[PROJECT]), browser.path()
    browser.scan(f"the settings after making it {to}")
    badge = browser.page.locator("strong", has_text=to)
    assert badge.count() >= 1
