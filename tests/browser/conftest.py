"""Browser fixtures: Playwright (sync API) drives Debian's chromium against a live server.

The browser is ``/usr/bin/chromium`` (``.ci/run`` installs the Debian package), never one
Playwright downloads. Without it the browser tests are skipped, except in CI (``CI=true``),
where they fail. It runs headless with no outside traffic of its own (the flags in
``CHROMIUM_ARGS``): the machines this runs on have no network.

Every page a test opens goes through ``Browser.visit`` or ``Browser.scan``: an axe-core scan
(axe-playwright-python) at the desktop width and at 375 px, where the page must not scroll
sideways either, and console errors are collected: any Content-Security-Policy violation, and
any uncaught script error, fails the test. Findings are gathered and asserted at the end
(``Browser.assert_clean``), so one run reports every page's. Screenshots go to the artefacts
directory: ``PRIVINDEX_TEST_ARTEFACTS``, by default ``.artefacts/browser/`` in the repository.

The clients (twine, pip) and the live index are the e2e fixtures, imported from there.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.e2e.conftest import client_env, index, run, twine  # noqa: F401 (fixtures)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPOSITORY = Path(__file__).resolve().parents[2]
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 375, "height": 740}
BLOCKING_IMPACTS = ("serious", "critical")
AXE_OPTIONS = {"resultTypes": ["violations"]}

# Serious findings in HTML these tests' authors do not own, reported to its owners: (axe rule,
# the start of the element's HTML) -> where it comes from. They do not fail a scan; a test that
# opens the pages showing them (``assert_clean(known=True)``) fails when one no longer occurs,
# so that the entry is removed with the fix.
KNOWN_FINDINGS: dict[tuple[str, str], str] = {}


def artefacts_root() -> Path:
    configured = os.environ.get("PRIVINDEX_TEST_ARTEFACTS", "").strip()
    return Path(configured) if configured else REPOSITORY / ".artefacts" / "browser"


@pytest.fixture(scope="session")
def live_server(django_db_setup: Any) -> Iterator[Any]:
    """pytest-django's live server, serving the collected static files (``STATIC_ROOT``, the
    hashed names the manifest storage writes into the pages) as production does. The stock
    fixture serves ``/static/`` from the finders, which know no hashed name: every page would
    lose its stylesheet, and the contrast and 375 px checks would look at unstyled pages.

    After the test database is made, so it stops (and its threads' connections close) before
    the database is dropped: else the drop can find a connection still open."""
    from django.test.testcases import _StaticFilesHandler
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost", start=False)
    server.thread.static_handler = _StaticFilesHandler
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless chromium for the module.

    Between two sync calls, Playwright leaves its event loop marked as running in this thread
    (playwright/sync_api/_context_manager.py), so Django would take every ORM call of the test
    for one made from async code: ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set while the browser
    lives. Connections the test thread opens meanwhile are kept apart by asgiref (as those of
    an async context), so they are closed here, before the loop stops being marked running;
    else one would stay open and keep the test database from being dropped."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                connections.close_all()
                browser.close()


class Browser:
    """One browser page on the live server, and what its visits found."""

    def __init__(self, page: Any, base_url: str, artefacts: Path) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self.base_url = base_url.rstrip("/")
        self.artefacts = artefacts
        self.axe = Axe()
        self.shots = 0
        self.csp: list[str] = []
        self.script_errors: list[str] = []
        # what axe (or the width check) found -> where: one line per problem in the report
        self.findings: dict[str, list[str]] = {}
        self.known_seen: set[tuple[str, str]] = set()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.script_errors.append(f"{page.url}: {error}"))

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp.append(f"{self.page.url}: {message.text}")

    def url(self, path: str) -> str:
        return self.base_url + path

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def visit(self, path: str, *, status: int = 200, label: str | None = None) -> Any:
        """Open ``path``, check the answer's status, and scan the page."""
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.status == status, f"{path}: {response.status}"
        self.scan(label or path)
        return response

    def follow(self, control: Any, *, key: str | None = None) -> None:
        """Click ``control`` (a locator), or press ``key`` in it, and wait for the page this
        leads to."""
        with self.page.expect_navigation():
            if key:
                control.press(key)
            else:
                control.click()

    def scan(self, label: str | None = None) -> None:
        """axe-core on the page as it is now, at the desktop width and at 375 px (where the
        page must not scroll sideways either), keeping the serious and critical violations."""
        label = label or self.path()
        self.page.wait_for_load_state()
        for viewport in (WIDE, NARROW):
            self.page.set_viewport_size(viewport)
            width = viewport["width"]
            results = self.axe.run(self.page, options=AXE_OPTIONS)
            for violation in results.response["violations"]:
                if violation["impact"] not in BLOCKING_IMPACTS:
                    continue
                for node in violation["nodes"]:
                    known = [
                        key
                        for key in KNOWN_FINDINGS
                        if key[0] == violation["id"] and node["html"].startswith(key[1])
                    ]
                    if known:
                        self.known_seen.update(known)
                        continue
                    problem = (
                        f"{violation['id']} ({violation['impact']}, {violation['help']}): "
                        f"{' '.join(node['target'])} {node['html'][:200]}"
                    )
                    self.findings.setdefault(problem, []).append(f"{label} at {width} px")
            if viewport is NARROW:
                scroll, inner = self.page.evaluate(
                    "[document.scrollingElement.scrollWidth, window.innerWidth]"
                )
                if scroll > inner:
                    problem = f"scrolls sideways at {width} px ({scroll} px wide): {self._widest()}"
                    self.findings.setdefault(problem, []).append(label)
        self.page.set_viewport_size(WIDE)

    def _widest(self) -> str:
        """The elements sticking out on the right, to say what makes a page scroll."""
        return self.page.evaluate(
            """() => Array.from(document.querySelectorAll("body *"))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .filter(e => !e.parentElement.closest(".table-wrap, pre"))
                .slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""))
                .join(", ")"""
        )

    def screenshot(self, name: str, *, narrow: bool = False) -> None:
        """The whole page, numbered in the order taken; with ``narrow``, also at 375 px."""
        self.shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        self.page.screenshot(path=self.artefacts / f"{self.shots:02d}-{slug}.png", full_page=True)
        if narrow:
            self.page.set_viewport_size(NARROW)
            path = self.artefacts / f"{self.shots:02d}-{slug}-375px.png"
            self.page.screenshot(path=path, full_page=True)
            self.page.set_viewport_size(WIDE)

    def assert_clean(self, *, known: bool = False) -> None:
        """No CSP violation, script error or accessibility finding on any page visited; with
        ``known``, every one of ``KNOWN_FINDINGS`` still seen (else it is fixed: remove it)."""
        problems = [
            *(f"CSP violation: {m}" for m in self.csp),
            *(f"script error: {m}" for m in self.script_errors),
            *(
                f"accessibility: {problem}\n    on {', '.join(where)}"
                for problem, where in self.findings.items()
            ),
        ]
        if known:
            problems += [
                f"fixed, remove it from KNOWN_FINDINGS: {key}: {KNOWN_FINDINGS[key]}"
                for key in KNOWN_FINDINGS
                if key not in self.known_seen
            ]
        assert not problems, "\n".join(problems)

    def sign_in_as(self, user: Any) -> None:
        """A session for ``user`` (no sign-in form): for the tests that are not about it."""
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": self.base_url}]
        )


@pytest.fixture
def browser(chromium, live_server, request) -> Iterator[Browser]:
    """A fresh browser context (no cookies) at the desktop width, with the clipboard allowed,
    and its page; its artefacts under ``<artefacts>/<module>/<test>/``."""
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    artefacts = artefacts_root() / request.node.module.__name__.rsplit(".", 1)[-1] / test
    shutil.rmtree(artefacts, ignore_errors=True)
    artefacts.mkdir(parents=True)
    context = chromium.new_context(viewport=WIDE, base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    session = Browser(page, live_server.url, artefacts)
    try:
        yield session
    finally:
        if getattr(request.node, "failed_call", False):
            session.screenshot("failed")
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Marks a test whose call failed, so ``browser`` saves a screenshot of where it was."""
    report = yield
    if report.when == "call" and report.failed:
        item.failed_call = True
    return report
