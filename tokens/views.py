"""The signed-in user's API tokens: list, issue (the secret is shown once), revoke.

Session only: a token cannot mint or revoke tokens. These pages ask who is signed in
(``request.user``, the session), never what the ``Authorization`` header says: a token alone
is sent to the login page, and a signed-in user's page does not change with a header.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from packaging.utils import canonicalize_name

from access import Action, Principal, Surface, precheck, projects_held_by
from accounts import selectors as account_selectors
from accounts.models import Organization, User
from privindex import web
from privindex.requests import PrincipalRequest
from tokens import limits, selectors, services
from tokens.models import Scope, Token

if TYPE_CHECKING:
    from projects.models import Project


DEFAULT_EXPIRY_DAYS = 90


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=limits.NAME_MAX,
        required=False,
        help_text="What the token is for, e.g. “CI upload”.",
    )
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, initial=[Scope.READ]
    )
    chosen = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Restrict to projects",
        help_text="None ticked: every project you can use.",
    )
    projects = forms.CharField(
        required=False,
        max_length=limits.PROJECTS_FIELD_MAX,
        label="… or name them",
        help_text="Project names, separated by commas or spaces.",
    )
    organization = forms.ChoiceField(
        required=False,
        label="Restrict to an organization",
        help_text="Only that organization's projects, and it works only while you are a member.",
    )
    expires_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=limits.MAX_EXPIRY_DAYS,
        initial=DEFAULT_EXPIRY_DAYS,
        label="Expires after (days)",
        help_text=f"Empty: {DEFAULT_EXPIRY_DAYS} days.",
    )
    never = forms.BooleanField(required=False, label="Never expires")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        principal = Principal(user=user)
        held = projects_held_by(principal).order_by("normalized_name")
        self.fields["chosen"].choices = [  # type: ignore[attr-defined]
            (p.normalized_name, p.name) for p in held[: limits.MAX_PROJECTS * 10]
        ]
        memberships = account_selectors.organization_memberships(principal=principal)
        self.fields["organization"].choices = [  # type: ignore[attr-defined]
            ("", "No organization"),
            *((m.organization.normalized_name, m.organization.name) for m in memberships),
        ]

    def clean_projects(self) -> list[Project]:
        names = [n for n in re.split(r"[\s,]+", self.cleaned_data["projects"]) if n]
        names += self.cleaned_data.get("chosen", [])
        if len({canonicalize_name(n) for n in names}) > limits.MAX_PROJECTS:
            raise forms.ValidationError(f"At most {limits.MAX_PROJECTS} projects.")
        found, missing = selectors.token_restriction_projects(
            user_principal=Principal(user=self.user), names=names
        )
        if missing:
            raise forms.ValidationError("No project named " + ", ".join(missing) + ".")
        return found

    def clean_organization(self) -> Organization | None:
        name = self.cleaned_data["organization"]
        if not name:
            return None
        organization = account_selectors.organization_for_token(user=self.user, name=name)
        if organization is None:
            raise forms.ValidationError("You are not a member of that organization.")
        return organization

    def expires_in(self) -> dt.timedelta | None:
        """The lifetime asked: ``never`` explicitly, else the days given or the default."""
        if self.cleaned_data["never"]:
            return None
        return dt.timedelta(days=self.cleaned_data["expires_days"] or DEFAULT_EXPIRY_DAYS)


def _session_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The token pages are for a signed-in person (``access.credentials``): whoever is not
    signed in is sent to the login page.

    The session is what counts. A signed-in user whose browser (or script) also sends an
    ``Authorization`` header, valid or not, is still that user here: refusing them as a token
    would send them to the login page, which sends a signed-in user straight back.
    """

    @wraps(view)
    def wrapper(request: PrincipalRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        decision = precheck(
            Principal(user=request.user), Action.TOKENS_MANAGE, surface=Surface.WEB_TOKENS
        )
        if not decision:
            return web.error(request, 403, decision.reason)
        return view(request, *args, **kwargs)

    return wrapper


def _signed_in(request: PrincipalRequest) -> User:
    """The signed-in user of a view behind ``_session_required``, which lets no one else in."""
    user = request.user
    assert isinstance(user, User)
    return user


def index_urls(request: PrincipalRequest) -> dict[str, str]:
    """The addresses in the token page's client snippets (the README's, issue 8).

    Every snippet uses this index as the client's only index and reads the token from
    ``PRIVINDEX_TOKEN`` / ``PRIVINDEX_UPLOAD_TOKEN``, which the page shows how to set: the
    README's snippets with this server's address, so what the README tests is what is shown.
    """
    simple = urlsplit(request.build_absolute_uri(reverse("simple:index")))
    auth_simple = urlsplit(request.build_absolute_uri(reverse("auth-simple:index")))
    return {
        "simple_url": urlunsplit(simple),
        "token_url": urlunsplit(
            simple._replace(netloc=f"__token__:${{PRIVINDEX_TOKEN}}@{simple.netloc}")
        ),
        "keyring_url": urlunsplit(auth_simple._replace(netloc=f"__token__@{auth_simple.netloc}")),
        "host": simple.hostname or simple.netloc,  # .netrc names a machine without its port
        "netloc": simple.netloc,
        "upload_url": request.build_absolute_uri(reverse("legacy-upload")),
    }


def issued_snippets(request: PrincipalRequest, token: Token) -> dict[str, Any]:
    """What the snippets under a new token's secret need: the addresses, which snippets apply
    (what the token may do where it will be used), and the project they install: the one
    the token is restricted to, else ``PROJECT`` for the reader to fill in."""
    as_token = Principal(token=token)
    chosen = [project.name for project in token.projects.all()[:2]]
    return {
        **index_urls(request),
        "issued_can_read": bool(precheck(as_token, Action.READ, surface=Surface.SIMPLE)),
        "issued_can_upload": bool(precheck(as_token, Action.UPLOAD, surface=Surface.UPLOAD)),
        "snippet_project": chosen[0] if len(chosen) == 1 else "PROJECT",
    }


@never_cache
@_session_required
def token_list(request: PrincipalRequest) -> HttpResponse:
    """GET: the tokens and an empty form. POST: issue a token and show its secret, once.

    The secret is rendered into this response only: no redirect carries it, no session
    stores it, and ``never_cache`` keeps it out of shared and browser caches.
    """
    user = _signed_in(request)
    issued = None
    data = request.POST if request.method == "POST" else None
    form = TokenCreateForm(data, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.token_issue(
                user=user,
                scopes=form.cleaned_data["scopes"],
                name=form.cleaned_data["name"],
                projects=form.cleaned_data["projects"],
                organization=form.cleaned_data["organization"],
                expires_in=form.expires_in(),
                actor=user,
            )
        except services.TokenError as exc:
            form.add_error(None, str(exc))
        else:
            form = TokenCreateForm(user=user)
    tokens = selectors.token_list(user=user)
    context = {"form": form, "tokens": tokens, "issued": issued}
    if issued is not None:
        context.update(issued_snippets(request, issued.token))
    return render(request, "tokens/tokens.html", context)


@require_http_methods(["GET", "POST"])
@_session_required
def token_revoke(request: PrincipalRequest, pk: int) -> HttpResponse:
    """GET: what revoking this token stops, and a button to confirm. POST (``confirm``):
    revoke it; without ``confirm`` the confirmation page again, nothing revoked."""
    user = _signed_in(request)
    token = get_object_or_404(Token, pk=pk, user=user)
    if request.method == "GET" or not request.POST.get("confirm"):
        return render(request, "tokens/revoke.html", {"token": token})
    services.token_revoke(token=token, actor=user)
    messages.success(request, f"Token {token.name or token.identifier} is revoked.")
    return redirect("accounts:tokens")
