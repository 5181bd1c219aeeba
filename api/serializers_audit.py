"""Shapes of the audit events API and the namespaces API: the query each listing accepts
(validated with ``api.serializers.parse``: every error at once, unknown parameters 400) and
the answers, as the schema describes them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.validation import PageQuerySerializer
from audit.exports import ACTION_MAX, ACTOR_MAX, CSV, JSON_LINES, BadFilter, Filters

# --- input ------------------------------------------------------------------------------------


class EventQuerySerializer(PageQuerySerializer):
    """The filters of the web pages (``audit.exports.Filters``) and the export format."""

    actor = serializers.CharField(
        max_length=ACTOR_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="Part of the actor's recorded name, any case.",
    )
    action = serializers.CharField(
        max_length=ACTION_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="An action (`project:visibility`), or every action of a family (`token:`).",
    )
    since = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        input_formats=["iso-8601"],
        help_text="From the start of this day (YYYY-MM-DD), included.",
    )
    until = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        input_formats=["iso-8601"],
        help_text="To the end of this day (YYYY-MM-DD), included.",
    )
    format = serializers.ChoiceField(
        choices=[CSV, JSON_LINES],
        required=False,
        allow_blank=True,
        default="",
        help_text="Every matching event as a download (CSV or JSON Lines), not one page.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["filters"] = Filters(
                actor=attrs["actor"].strip(),
                action=attrs["action"].strip(),
                since=attrs["since"],
                until=attrs["until"],
            )
        except BadFilter as exc:
            raise serializers.ValidationError({"until": [str(exc)]}) from None
        return attrs


# --- output -----------------------------------------------------------------------------------


class EventSerializer(serializers.Serializer):
    """An event as every export shows it (``audit.exports.exported``)."""

    created = serializers.DateTimeField()
    action = serializers.CharField()
    actor_kind = serializers.CharField(help_text="user, token, org-token, anonymous or system")
    actor_name = serializers.CharField()
    project = serializers.CharField(allow_null=True)
    organization = serializers.CharField(allow_null=True)
    target = serializers.CharField()
    ip = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField()
    # The metaclass takes declared fields off the class: these shadow no attribute at runtime.
    data = serializers.DictField(  # type: ignore[assignment]
        help_text="What changed: previous and new values; no secret."
    )


class _Page(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class EventPageSerializer(_Page):
    results = EventSerializer(many=True)


class NamespaceSerializer(serializers.Serializer):
    """A PEP 752 namespace as the caller sees it (``namespaces.selectors.NamespaceDetail``)."""

    name = serializers.CharField(help_text="The normalized namespace.")
    owner = serializers.CharField(
        allow_null=True, help_text="The organization or user holding it, if the caller sees it."
    )
    open = serializers.BooleanField(help_text="Anyone may create projects in it.")
    parent = serializers.CharField(allow_null=True)  # type: ignore[assignment]  # see data above
    children = serializers.ListField(child=serializers.CharField())
    url = serializers.URLField()


class NamespacePageSerializer(_Page):
    results = NamespaceSerializer(many=True)
