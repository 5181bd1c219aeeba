"""The web UI: home (search), the project and release pages, with the owner's and maintainer's
forms.

Views adapt only. ``access.decide`` answers every permission question; templates get
its answers as booleans. A project the caller may not read is a 404 whose body is the same as
for a name that does not exist (DESIGN 4).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

import nh3
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from packaging.utils import canonicalize_name
from readme_renderer import clean as readme_clean

from access import (
    MANAGER_STATUSES,
    Action,
    Decision,
    Denial,
    Surface,
    decide,
    decide_transfer,
    owns_project,
    precheck,
    project_offers_files,
    readable_by_anyone,
    status_change_decide,
    status_reason_for,
)
from access.policy import TRANSFER_NEEDS_OWNER
from accounts import selectors as account_selectors
from privindex import web
from privindex.requests import PrincipalRequest
from privindex.security import allow_remote_images
from projects import selectors, services
from projects.limits import QUERY_MAX, SEARCH_LIMIT, STATUS_REASON_MAX
from projects.models import Project, ProjectStatus, Release
from simple_api.pages import file_url_path

# --- adapters: a decision becomes a page ------------------------------------------------------


def _not_found(request: PrincipalRequest) -> HttpResponse:
    return web.not_found(request)


def _error(request: PrincipalRequest, status: int, message: str) -> HttpResponse:
    return web.error(request, status, message)


def _unauthenticated(request: PrincipalRequest, message: str) -> HttpResponse:
    return web.unauthenticated(request, message)


def _deny(request: PrincipalRequest, decision: Decision) -> HttpResponse:
    return web.deny(request, request.principal, decision)


def _readable(request: PrincipalRequest, name: str) -> tuple[Project | None, HttpResponse | None]:
    """The project ``name`` names if the caller may read it, else the answer to send."""
    if request.auth_error:
        # Credentials that were sent but are not valid are never treated as anonymous.
        return None, _unauthenticated(request, request.auth_error)
    project = selectors.project_get(name=name)
    decision = decide(request.principal, Action.READ, project, surface=Surface.WEB)
    if not decision:
        return None, _deny(request, decision)
    return project, None


def _authorized(
    request: PrincipalRequest, name: str, action: Action
) -> tuple[Project | None, HttpResponse | None]:
    """For the forms: 404 when the caller may not read the project, 403 when they may read it
    but not do ``action``, and the login page (then back to the project) when they are not
    signed in (decision 0013). Credentials that were sent but are bad stay a 401."""
    project, denied = _readable(request, name)
    if denied is not None:
        return None, denied
    assert project is not None
    decision = decide(request.principal, action, project, surface=Surface.WEB)
    if decision.denial == Denial.UNAUTHENTICATED and request.principal.is_anonymous:
        # A 401 with a Basic challenge would open the browser's password dialog, and
        # passwords are refused: a person is sent to sign in instead.
        return None, redirect_to_login(reverse("web:project", args=[project.normalized_name]))
    if not decision:
        return None, _deny(request, decision)
    return project, None


def _session_may(request: PrincipalRequest, action: Action, project: Project) -> bool:
    """Whether to offer a form: the forms post with a session, never with a token."""
    return bool(decide(request.principal, action, project, surface=Surface.WEB))


def _may_set_status(request: PrincipalRequest, project: Project) -> bool:
    """Whether to offer the status form: it asks what ``project_status`` will. The form offers
    the managers' statuses, and each asks the same (managing; leaving a quarantine also takes
    a moderator)."""
    return bool(
        status_change_decide(request.principal, project, ProjectStatus.ACTIVE, surface=Surface.WEB)
    )


# --- pages ------------------------------------------------------------------------------------


def _per_caller(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """What a page shows depends on who asks (session or token): keep it out of shared caches."""
    return cache_control(private=True, no_cache=True)(vary_on_headers("Authorization")(view))


@require_safe
@_per_caller
def home(request: PrincipalRequest) -> HttpResponse:
    """The projects the caller may read, searched by name and summary, 50 a page."""
    if request.auth_error:
        return _unauthenticated(request, request.auth_error)
    early = precheck(request.principal, Action.READ, surface=Surface.WEB)
    if not early:  # a closed index: signed-in users and tokens only
        return _deny(request, early)
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    ids = selectors.project_search(principal=request.principal, query=query)
    paginator = Paginator(ids, SEARCH_LIMIT)
    page = paginator.page(_page_number(request.GET.get("page"), paginator.num_pages))
    context = {
        "query": query,
        "hits": selectors.project_hits(principal=request.principal, ids=page.object_list),
        "page": page,
        "total": paginator.count,
        "previous_url": _page_url(query, page.previous_page_number())
        if page.has_previous()
        else "",
        "next_url": _page_url(query, page.next_page_number()) if page.has_next() else "",
    }
    return render(request, "web/home.html", context)


def _page_number(raw: str | None, last: int) -> int:
    """``?page=``, kept within the pages there are: not a number is the first page, past the
    end the last (never a 500)."""
    try:
        number = int(raw or 1)
    except ValueError:  # also a number too long to convert
        return 1
    return min(max(number, 1), last)


def _page_url(query: str, number: int) -> str:
    params = {"q": query, "page": number} if query else {"page": number}
    return f"{reverse('web:home')}?{urlencode(params)}"


@require_safe
@_per_caller
def project_detail(request: PrincipalRequest, name: str) -> HttpResponse:
    if request.auth_error:  # bad credentials are answered before anything else (S4.9)
        return _unauthenticated(request, request.auth_error)
    normalized = canonicalize_name(name)
    if name != normalized:
        # Decided on the spelling alone, before any lookup, so it reveals nothing.
        return redirect("web:project", name=normalized, permanent=True)
    project, denied = _readable(request, name)
    if denied is not None:
        return denied
    assert project is not None
    releases = selectors.release_history(project=project)
    chosen = selectors.release_latest(releases)
    # The history leaves the READMEs out; the current release is read whole.
    latest = chosen and selectors.release_get(project=project, version=chosen.version)
    public = readable_by_anyone(project)
    context = {
        "project": project,
        "releases": releases,
        "latest": latest,
        **_release_context(project, latest, public=public),
        "install_command": _install_command(request, project, anyone_may_read=public),
        "public": public,
        "status_reason_max": STATUS_REASON_MAX,
        "can_manage": _session_may(request, Action.MANAGE, project),
        "can_yank": _session_may(request, Action.YANK, project),
        "can_set_status": _may_set_status(request, project),
        **_transfers(request, project),
        "status_choices": [(s.value, s.label) for s in MANAGER_STATUSES],
    }
    return _images_policy(render(request, "web/project.html", context), public=public)


@require_safe
@_per_caller
def release_detail(request: PrincipalRequest, name: str, version: str) -> HttpResponse:
    """One release: any spelling of its version. A version the project does not have is the
    same 404 as a project the caller may not read, or one that does not exist."""
    if request.auth_error:  # S4.9
        return _unauthenticated(request, request.auth_error)
    normalized = canonicalize_name(name)
    if name != normalized:  # on the spelling alone, as for the project page
        return redirect("web:release", name=normalized, version=version, permanent=True)
    project, denied = _readable(request, name)
    if denied is not None:
        return denied
    assert project is not None
    release = selectors.release_get(project=project, version=version)
    if release is None:
        return _not_found(request)
    latest = selectors.release_latest(selectors.release_history(project=project))
    public = readable_by_anyone(project)
    context = {
        "project": project,
        "release": release,
        "latest": latest,
        "is_latest": latest is not None and latest.pk == release.pk,
        **_release_context(project, release, public=public),
        "install_command": _install_command(
            request, project, anyone_may_read=public, version=release.version
        ),
        "public": public,
    }
    return _images_policy(render(request, "web/release.html", context), public=public)


def _images_policy(response: HttpResponse, *, public: bool) -> HttpResponse:
    """A README anyone may read may show images from other HTTPS hosts, as on PyPI; any other
    page keeps the site's Content-Security-Policy (images from this site only), a second
    guard beside the images ``_readme`` leaves out."""
    if public:
        allow_remote_images(response)
    return response


def _release_context(
    project: Project, release: Release | None, *, public: bool
) -> dict[str, object]:
    """What the project page shows of its current release and the release page of its own:
    files with their download links, README, dependencies, links."""
    offers_files = project_offers_files(project)
    files = [] if release is None else selectors.release_files(project=project, release=release)
    readme, images_blocked = ("", 0) if release is None else _readme(release, public=public)
    return {
        "offers_files": offers_files,
        "files": [(file, file_url_path(file)) for file in files],
        "readme_html": readme,
        "images_blocked": images_blocked,
        "dependencies": _strings(release.requires_dist) if release is not None else [],
        "extras": _strings(release.provides_extra) if release is not None else [],
        "links": _links(release),
    }


def _strings(value: object) -> list[str]:
    """A JSON list of strings from uploaded metadata, as strings."""
    return [str(item) for item in value] if isinstance(value, list) else []


# --- README ------------------------------------------------------------------------------------

# Whitespace and controls a browser drops from a URL before reading it (WHATWG URL).
_URL_TRIM = "".join(chr(c) for c in range(0x21))
# The sanitizer prefixes every id with this, so a heading's permalink points at it.
PERMALINK_PREFIX = "#user-content-"


def _names_a_host(src: str) -> bool:
    """Would a browser fetch ``src`` from a host it names (``https://…``, ``//…``, ``\\…``)
    rather than as a path on this site? Read as a browser reads it; unreadable counts."""
    url = src.replace("\t", "").replace("\n", "").replace("\r", "").strip(_URL_TRIM)
    url = url.replace("\\", "/")  # for http(s) a backslash is a slash
    try:
        parts = urlsplit(url)
    except ValueError:
        return True
    return bool(parts.scheme or parts.netloc or url.startswith("//"))


def _readme(release: Release, *, public: bool) -> tuple[SafeString, int]:
    """The README as rendered at upload (sanitized by readme_renderer) and how many images
    were left out of it.

    For a project that not everyone may read, an image from another host would tell that
    host who reads the page, and when: such images lose their ``src`` (their ``alt`` text
    stays). The HTML is parsed and serialized again by nh3, the sanitizer readme_renderer
    used, with its rules, never edited as text. For every README, two things the renderer
    writes that a screen reader stumbles on go: the headings' empty permalink anchors lose
    their ``href`` (a link with no text), and code blocks their ``lang`` (a language name
    such as ``python``, where HTML expects a human language).
    """
    html = release.description_html
    if not html:
        return mark_safe(html), 0
    blocked = 0

    def attribute(tag: str, name: str, value: str) -> str | None:
        nonlocal blocked
        if tag == "img" and name == "src" and not public and _names_a_host(value):
            blocked += 1
            return None
        if tag == "a" and name == "href" and value.startswith(PERMALINK_PREFIX):
            return None
        if tag == "pre" and name == "lang":
            return None
        return value

    cleaned = nh3.clean(
        html,
        tags=readme_clean.ALLOWED_TAGS,
        attributes=readme_clean.ALLOWED_ATTRIBUTES,
        attribute_filter=attribute,
        link_rel="nofollow noopener noreferrer",
        url_schemes={"http", "https", "mailto"},
        set_tag_attribute_values={"input": {"disabled": ""}},
    )
    return mark_safe(cleaned), blocked  # sanitized again, just now


def _transfers(request: PrincipalRequest, project: Project) -> dict[str, object]:
    """Where the signed-in caller may move the project (``access.decide_transfer``): into an
    organization they own, or out of its organization to themselves."""
    principal = request.principal
    if (
        principal.token is not None
        or principal.user is None
        or not owns_project(principal, project)
    ):
        return {"transfer_organizations": [], "can_transfer_to_me": False}
    organizations = [
        membership.organization
        for membership in account_selectors.organization_memberships(principal=principal)
        if membership.organization_id != project.organization_id
        and decide_transfer(
            principal, project, organization=membership.organization, user=None, surface=Surface.WEB
        )
    ]
    to_me = project.organization_id is not None and bool(
        decide_transfer(
            principal, project, organization=None, user=principal.user, surface=Surface.WEB
        )
    )
    return {"transfer_organizations": organizations, "can_transfer_to_me": to_me}


def _install_command(
    request: PrincipalRequest, project: Project, *, anyone_may_read: bool, version: str = ""
) -> str:
    """The README's pip snippet for this project (or one ``version`` of it): this index as
    pip's only index (issue 8).

    Never as an extra index: pip merges extra indexes by best version, so a public impostor
    of the name would win (README, "Dependency confusion"). A private project's command reads
    the token from the environment, as the README's does.
    """
    index = request.build_absolute_uri(reverse("simple:index"))
    requirement = shlex.quote(f"{project.name}=={version}") if version else project.name
    if anyone_may_read:
        return f"pip install --index-url {index} {requirement}"
    # pip sends the credentials in the index URL as HTTP Basic (S4.1).
    parts = urlsplit(index)
    index = urlunsplit(parts._replace(netloc=f"__token__:${{PRIVINDEX_TOKEN}}@{parts.netloc}"))
    return f'pip install --index-url "{index}" {requirement}'


def _links(release: Release | None) -> list[tuple[str, str]]:
    """The release's project URLs, http(s) only: the values come from uploaded metadata."""
    if release is None:
        return []
    links = list(release.project_urls.items()) if isinstance(release.project_urls, dict) else []
    if release.home_page:
        links.insert(0, ("Homepage", release.home_page))
    return [
        (str(label), str(url))
        for label, url in links
        if urlsplit(str(url)).scheme in ("http", "https")
    ]


# --- forms (POST, session and CSRF) -----------------------------------------------------------


def _back(project: Project) -> HttpResponse:
    return redirect("web:project", name=project.normalized_name)


@require_POST
def project_transfer(request: PrincipalRequest, name: str) -> HttpResponse:
    """Move the project into an organization the caller owns (``to=org:<name>``) or out of its
    organization to the caller (``to=me``); the owner role on both sides
    (``access.decide_transfer``)."""
    project, denied = _authorized(request, name, Action.MANAGE)
    if denied is not None:
        return denied
    assert project is not None
    target = request.POST.get("to", "")
    organization, user = None, None
    if target == "me":
        user = request.principal.user
    elif target.startswith("org:"):
        organization = account_selectors.organization_by_name(name=target[4:])
        if organization is None:
            # As for an organization they do not own: names of others' are not confirmed.
            return _error(request, 403, TRANSFER_NEEDS_OWNER)
    else:
        return _error(request, 400, "Say where the project goes: to=org:<name> or to=me.")
    decision = decide_transfer(
        request.principal, project, organization=organization, user=user, surface=Surface.WEB
    )
    if not decision:
        return _deny(request, decision)
    try:
        services.project_transfer(
            project=project, organization=organization, user=user, principal=request.principal
        )
    except services.ServiceError as exc:
        return _error(request, exc.status, exc.message)
    where = organization.name if organization is not None else "you"
    messages.success(request, f"{project.name} now belongs to {where}.")
    return _back(project)


@require_POST
def project_status(request: PrincipalRequest, name: str) -> HttpResponse:
    project, denied = _authorized(request, name, Action.MANAGE)
    if denied is not None:
        return denied
    assert project is not None
    status = request.POST.get("status", "")
    reason = request.POST.get("reason", "").strip()
    # A quarantined project may only be released by staff, whatever the form asks.
    decision = status_change_decide(
        request.principal,
        project,
        status if status in MANAGER_STATUSES else project.status,
        surface=Surface.WEB,
    )
    if not decision:
        return _error(request, 403, decision.reason)
    if status not in MANAGER_STATUSES:
        return _error(request, 400, "Status must be active, archived or deprecated.")
    if len(reason) > STATUS_REASON_MAX:
        return _error(request, 400, f"The reason is limited to {STATUS_REASON_MAX} characters.")
    reason = status_reason_for(project, status, reason)
    services.project_status_set(
        project=project, status=status, reason=reason, principal=request.principal
    )
    messages.success(request, f"{project.name} is now {project.get_status_display().lower()}.")
    return _back(project)
