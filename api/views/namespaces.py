"""PEP 752 namespaces in the REST API: the list and one namespace, as ``/namespaces`` and
``/namespace/<ns>`` show them (``namespaces.selectors``): the grants the caller sees
(``access.namespace_grants_visible_to``), their owners only to those who see the owner. A
namespace the caller does not see (hidden from them) is the 404 of one never granted
(decision 0016). Read only: grants are given and revoked by operators.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from packaging.utils import canonicalize_name
from rest_framework.response import Response

from access import Action, Surface, precheck
from api.permissions import deny, not_found
from api.schema import problems
from api.serializers_audit import (
    NamespacePageSerializer,
    NamespaceSerializer,
    PageQuerySerializer,
)
from api.validation import parse
from api.views.base import Pagination, PrincipalView
from namespaces import selectors
from namespaces.selectors import NamespaceDetail as Namespace


def _refuse_caller(request) -> None:
    """Bad credentials, no read scope, a closed index: from the caller alone (S4.9)."""
    decision = precheck(request.principal, Action.READ, surface=Surface.API)
    if not decision:
        deny(decision)


def _data(request, detail: Namespace) -> dict[str, object]:
    return {
        "name": detail.name,
        "owner": detail.owner,
        "open": detail.open,
        "parent": detail.parent,
        "children": detail.children,
        "url": request.build_absolute_uri(reverse("api:namespace-detail", args=[detail.name])),
    }


class NamespaceList(PrincipalView):
    @extend_schema(
        operation_id="namespaces_list",
        summary="Namespaces",
        description="Every namespace (PEP 752 grant) the caller sees, by name.",
        parameters=[PageQuerySerializer],
        responses={200: NamespacePageSerializer, **problems(400, 401, 403, 429)},
        tags=["namespaces"],
    )
    def get(self, request):
        _refuse_caller(request)
        parse(PageQuerySerializer, request.query_params)
        found = selectors.namespace_list(principal=request.principal)
        paginator = Pagination()
        page = paginator.paginate_queryset(found, request, view=self) or []  # type: ignore[arg-type]
        return paginator.get_paginated_response([_data(request, detail) for detail in page])


class NamespaceDetail(PrincipalView):
    @extend_schema(
        operation_id="namespaces_retrieve",
        summary="A namespace",
        description=(
            "One namespace, any spelling of it, with its parent and the children the caller sees."
        ),
        responses={200: NamespaceSerializer, **problems(401, 403, 404, 429)},
        tags=["namespaces"],
    )
    def get(self, request, name: str):
        _refuse_caller(request)
        detail = selectors.namespace_detail(
            normalized_name=canonicalize_name(name), principal=request.principal
        )
        if detail is None:
            raise not_found()
        return Response(_data(request, detail))
