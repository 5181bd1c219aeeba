"""Audit events of a project or an organization: a page of JSON, or every matching event as a
CSV or JSON Lines download (``?format=csv``, ``?format=jsonl``).

Who reads which trail is the web pages' rule (``audit.views``): a project's managers
(``projects:manage``), an organization's owners (``organizations:manage``). The kind of
caller and its scope are answered first, before the query is read or any name looked up
(S4.9); a project the caller may not read is the 404 of a name that does not exist
(DESIGN 4). The filters, the rows and the downloads are ``audit.exports``', the events
``audit.selectors``'.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation

from access import Action, Surface, decide_organization, precheck
from accounts.selectors import organization_by_name
from api.permissions import authorize, deny
from api.schema import problems
from api.serializers_audit import EventPageSerializer, EventQuerySerializer
from api.validation import parse
from api.views.base import Pagination, PrincipalView, list_allowed
from audit import selectors
from audit.exports import download, exported
from audit.models import Event


class ExportNegotiation(DefaultContentNegotiation):
    """``?format=`` names a download here (csv, jsonl), not one of DRF's renderers, whatever
    ``Accept`` says (an error is still a JSON problem); without it, DRF's negotiation."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if request.query_params.get("format"):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)


EXPORTS = {
    "text/csv": OpenApiResponse(
        OpenApiTypes.STR, description="With `?format=csv`: every matching event, streamed."
    ),
    "application/x-ndjson": OpenApiResponse(
        OpenApiTypes.STR, description="With `?format=jsonl`: one event a line, streamed."
    ),
}


def _described(*, operation_id: str, summary: str, who: str):
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=(
            f"{who} Newest first. Filters: `actor` (part of the recorded name), `action` (one, "
            "or a family ending with `:`), `since` and `until` (days, both included). "
            "`?format=csv` or `?format=jsonl` downloads every matching event instead of a "
            "page (CSV cells that a spreadsheet would run as formulas are quoted)."
        ),
        parameters=[EventQuerySerializer],
        responses={
            (200, "application/json"): EventPageSerializer,
            **{(200, media): answer for media, answer in EXPORTS.items()},
            **problems(400, 401, 403, 404, 429),
        },
        tags=["audit"],
    )


class _Events(PrincipalView):
    content_negotiation_class = ExportNegotiation
    parses_own_query = True  # the filters and format (EventQuerySerializer)
    action: Action  # what the caller must be allowed, on the project or the organization

    def _early(self, request) -> dict:
        """The caller's kind and scope (before any name), then the query (400)."""
        decision = precheck(request.principal, self.action, surface=Surface.API)
        if not decision:
            deny(decision)
        list_allowed(request)  # a list, exported or not: a token needs read too
        return parse(EventQuerySerializer, request.query_params)

    def _answer(self, request, events, query: dict, *, filename: str):
        events = query["filters"].apply(events)
        if query["format"]:
            return download(events, query["format"], filename=filename)
        paginator = Pagination()
        page: list[Event] = paginator.paginate_queryset(events, request, view=self) or []
        return paginator.get_paginated_response([exported(event) for event in page])


class ProjectEvents(_Events):
    action = Action.MANAGE

    @_described(
        operation_id="project_events_list",
        summary="A project's audit events",
        who="For those who manage the project, as its history page.",
    )
    def get(self, request, name: str):
        query = self._early(request)
        project = authorize(request, name, Action.MANAGE)
        return self._answer(
            request,
            selectors.project_events(project),
            query,
            filename=f"{project.normalized_name}-history",
        )


class OrganizationEvents(_Events):
    action = Action.ORGANIZATION_MANAGE

    @_described(
        operation_id="org_events_list",
        summary="An organization's audit events",
        who="For the organization's owners, as its audit log page; its projects' included.",
    )
    def get(self, request, name: str):
        query = self._early(request)
        organization = organization_by_name(name=name)
        decision = decide_organization(
            request.principal, Action.ORGANIZATION_MANAGE, organization, surface=Surface.API
        )
        if not decision:
            deny(decision)
        assert organization is not None
        return self._answer(
            request,
            selectors.organization_events(organization),
            query,
            filename=f"{organization.normalized_name}-audit",
        )
