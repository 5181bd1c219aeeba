"""Admin for API tokens.

The secret hash is never displayed, and no token field can be edited (a token is never
widened after issue). Adding a token goes through ``token_issue``; the secret is written
into that one response only: not into a message (the cookie or session would hold it), a
log entry or the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from access import Action, Principal, decide_organization
from accounts.models import User
from privindex.admin_support import ServiceErrorsAsMessages
from tokens import limits
from tokens.models import Scope, Token
from tokens.services import TokenError, token_issue, token_revoke

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec  # a type alias of django-stubs only

    # Generic in django-stubs only: at runtime these classes take no type arguments.
    _TokenForm = forms.ModelForm[Token]
    _TokenModelAdmin = admin.ModelAdmin[Token]
else:
    _TokenForm = forms.ModelForm
    _TokenModelAdmin = admin.ModelAdmin

_ISSUED_PAGE = """{% extends "admin/base_site.html" %}
{% block breadcrumbs %}<div class="breadcrumbs">
<a href="{% url 'admin:index' %}">Home</a> &rsaquo;
<a href="{% url 'admin:app_list' app_label=opts.app_label %}">{{ opts.app_config.verbose_name }}</a>
&rsaquo; <a href="{{ changelist_url }}">{{ opts.verbose_name_plural|capfirst }}</a>
&rsaquo; {{ token.identifier }}</div>{% endblock %}
{% block content %}
<ul class="messagelist"><li class="success">Token {{ token.identifier }} issued to
{% if token.user %}{{ token.user }}{% else %}the organization {{ token.organization }}
{% endif %}. Copy it now: it is shown only this once and cannot be recovered.</li></ul>
<p><input type="text" readonly size="70" id="issued-token" value="{{ secret }}"
 onfocus="this.select()"></p>
<p>Scopes: {{ token.scopes|join:", " }}{% if token.expires %}; expires {{ token.expires }}
{% endif %}</p>
<p><a href="{{ token_url }}">View the token</a> &middot;
<a href="{{ changelist_url }}">All tokens</a> &middot;
<a href="{{ add_url }}">Issue another token</a></p>
{% endblock %}
"""


class TokenAddForm(_TokenForm):
    """What the add page asks, checked against ``tokens.limits`` as every token form is (the
    name's length comes with the model field); ``token_issue`` checks the same limits."""

    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)
    expires_in_days = forms.IntegerField(
        min_value=1,
        max_value=limits.MAX_EXPIRY_DAYS,
        required=False,
        help_text="Leave empty for a token that does not expire.",
    )

    class Meta:
        model = Token
        fields = ("user", "name", "scopes", "projects", "organization", "expires_in_days")

    def clean_projects(self) -> Any:
        projects = self.cleaned_data["projects"]
        if len(projects) > limits.MAX_PROJECTS:
            raise forms.ValidationError(f"At most {limits.MAX_PROJECTS} projects.")
        return projects

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("user") is None and data.get("organization") is None:
            raise forms.ValidationError(
                "Choose a user (a personal token) or an organization (leave the user empty: "
                "an organization token)."
            )
        return data


class TokenStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> Iterable[tuple[str, str]]:
        return (("active", "Active"), ("revoked", "Revoked"), ("expired", "Expired"))

    def queryset(self, request: HttpRequest, queryset: QuerySet[Token]) -> QuerySet[Token]:
        now = timezone.now()
        if self.value() == "revoked":
            return queryset.filter(revoked__isnull=False)
        if self.value() == "expired":
            return queryset.filter(revoked__isnull=True, expires__lte=now)
        if self.value() == "active":
            return queryset.filter(revoked__isnull=True).exclude(expires__lte=now)
        return queryset


@admin.register(Token)
class TokenAdmin(ServiceErrorsAsMessages, _TokenModelAdmin):
    list_display = (
        "identifier",
        "owner",
        "name",
        "scope_list",
        "created",
        "expires",
        "last_used",
        "revoked",
    )
    list_filter = (TokenStateFilter, "created", ("organization", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("user", "organization", "created_by")
    search_fields = ("identifier", "name", "user__username", "organization__name")
    fields = (
        "identifier",
        "user",
        "created_by",
        "name",
        "scopes",
        "projects",
        "organization",
        "created",
        "expires",
        "last_used",
        "revoked",
    )
    exclude = ("secret_hash",)
    add_fieldsets: _FieldsetSpec = (
        (None, {"fields": ("user", "name", "scopes", "expires_in_days")}),
        (
            "Organization (an organization token: leave the user empty; only the read and "
            "upload scopes. A personal token: restricted to it, its user must be a member)",
            {"fields": ("organization",)},
        ),
        (
            "Restrictions (optional; a token only narrows what its user may do)",
            {"fields": ("projects",)},
        ),
    )
    autocomplete_fields = ("user", "projects", "organization")
    actions = ("revoke",)
    # What the form did not catch (it checks the same limits) shows as a message.
    service_errors = (TokenError,)

    @admin.display(description="scopes")
    def scope_list(self, obj: Token) -> str:
        return ", ".join(obj.scopes)

    @admin.display(description="owner")
    def owner(self, obj: Token) -> str:
        if obj.user is None:
            by = f", made by {obj.created_by}" if obj.created_by is not None else ""
            return f"organization {obj.organization}{by}"
        return str(obj.user)

    def get_fieldsets(self, request: HttpRequest, obj: Token | None = None) -> _FieldsetSpec:
        if obj is None:
            return self.add_fieldsets
        return super().get_fieldsets(request, obj)

    def get_form(
        self, request: HttpRequest, obj: Token | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Token]]:
        if obj is None:
            kwargs["form"] = TokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Token | None = None) -> bool:
        return False  # view-only: scopes and restrictions are fixed at issue

    def has_delete_permission(self, request: HttpRequest, obj: Token | None = None) -> bool:
        return False  # revoke instead; the audit trail keeps pointing at the token

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("tokens.change_token")

    def save_model(
        self, request: HttpRequest, obj: Token, form: TokenAddForm, change: bool
    ) -> None:
        """Issue through ``token_issue``; ``obj`` becomes the issued row, without its secret."""
        data = form.cleaned_data
        days = data.get("expires_in_days")
        staff = _staff_user(request)
        if data["user"] is None:
            # Only the organization's owners and managers (or a superuser) issue its tokens.
            decision = decide_organization(
                Principal(user=staff),
                Action.ORGANIZATION_TOKENS_ISSUE,
                data["organization"],
                surface=None,
            )
            if not decision:
                raise TokenError(
                    "Only owners and managers of the organization (or a superuser) may issue "
                    "its tokens."
                )
        # The form has already checked what token_issue would reject (scopes, limits).
        issued = token_issue(
            user=data["user"],
            scopes=data["scopes"],
            name=data["name"],
            projects=data["projects"],
            organization=data["organization"],
            expires_in=dt.timedelta(days=days) if days else None,
            actor=staff,
        )
        for field in Token._meta.concrete_fields:
            setattr(obj, field.attname, getattr(issued.token, field.attname))
        obj._state.adding = False
        obj._state.db = issued.token._state.db
        obj.__dict__["_issued_secret"] = issued.secret

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm[Token], formsets: Any, change: bool
    ) -> None:
        if change:
            super().save_related(request, form, formsets, change)
        # On add, token_issue has already set the project restriction.

    def response_add(
        self, request: HttpRequest, obj: Token, post_url_continue: str | None = None
    ) -> HttpResponse:
        """Show the secret on this one page, instead of redirecting with a message."""
        secret = obj.__dict__.pop("_issued_secret")
        opts = self.opts
        context = {
            **self.admin_site.each_context(request),
            "title": "Token issued",
            "opts": opts,
            "token": obj,
            "secret": secret,
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            "add_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_add"),
            "token_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=(quote(obj.pk),)
            ),
        }
        html = engines["django"].from_string(_ISSUED_PAGE).render(context, request)
        response = HttpResponse(html)
        add_never_cache_headers(response)
        return response

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Token]) -> None:
        tokens = list(queryset.filter(revoked__isnull=True))
        for token in tokens:
            token_revoke(token=token, actor=_staff_user(request))
        self.message_user(request, f"{len(tokens)} token(s) revoked.", messages.SUCCESS)


def _staff_user(request: HttpRequest) -> User:
    """The admin's user: the admin site lets only active staff users in."""
    user = request.user
    assert isinstance(user, User)
    return user
