"""Validation of what a request sends, shared by every view and by ``api.views.base.Pagination``
(which must not import the serializers): ``parse`` (every error at once, unknown fields 400)
and the page a list answers (``PageQuerySerializer``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from api.errors import Invalid

MAX_LIMIT = 500  # items a page holds at most (Pagination.max_limit)
OFFSET_MAX = 2**31 - 1


def parse(serializer_class: type[serializers.Serializer], data: Any) -> dict:
    """Validated input, or 400 with every error at once: each invalid field, each missing
    one, and each field the serializer does not know (a typo such as ``visibilty`` would
    otherwise change nothing and answer 200)."""
    if not isinstance(data, Mapping):
        raise Invalid({"": ["Expected a JSON object."]})
    known = serializer_class().fields
    serializer = serializer_class(data=data)
    errors = {} if serializer.is_valid() else dict(serializer.errors)
    for key in data:
        if key not in known:
            errors[str(key)] = ["Unknown field."]
    if errors:
        raise Invalid(_printable(errors))
    return dict(serializer.validated_data)


def _printable(errors: Any) -> Any:
    """``errors`` with every text UTF-8 can carry: a field name or a value a message repeats
    may hold a lone surrogate (JSON allows ``"\\ud800"``), which no answer could encode."""
    if isinstance(errors, Mapping):
        return {_printable(key): _printable(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [_printable(item) for item in errors]
    if isinstance(errors, str):
        return errors.encode("utf-8", "backslashreplace").decode("utf-8")
    return errors


class PageQuerySerializer(serializers.Serializer):
    """The page a list answers (``api.views.base.Pagination``), validated rather than
    silently replaced by the defaults."""

    limit = serializers.IntegerField(
        min_value=1, max_value=MAX_LIMIT, required=False, help_text="Items per page."
    )
    offset = serializers.IntegerField(
        min_value=0, max_value=OFFSET_MAX, required=False, help_text="Items to skip."
    )
