"""The audit trail's filters and downloads, shared by the web pages (``audit.views``) and the
REST API (``api.views.audit``): one reading of ``since``/``until``, one row per event, one CSV
that no spreadsheet runs as a formula, one JSON Lines file.

Adapters' helpers: nothing here decides who reads which trail (``access`` does) or chooses
the events (``audit.selectors`` does).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from audit import selectors
from audit.models import Event

ACTOR_MAX = 200  # Event.actor_name
ACTION_MAX = 64  # Event.action
CSV = "csv"
JSON_LINES = "jsonl"
# What a spreadsheet would read as a formula (OWASP, "CSV injection"): such a cell is
# prefixed with a quote, so it is shown as the text it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = (
    "created",
    "action",
    "actor_kind",
    "actor_name",
    "project",
    "organization",
    "target",
    "ip",
    "user_agent",
    "data",
)


# --- the filters ------------------------------------------------------------------------------


class BadFilter(ValueError):
    """A filter that cannot be applied: answered with 400 and this message."""


@dataclass(frozen=True)
class Filters:
    actor: str = ""
    action: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise BadFilter("The “since” date must not be after the “until” date.")

    def as_query(self) -> str:
        """The filters as a query string (without ``page`` and ``format``), for the links."""
        given = {
            "actor": self.actor,
            "action": self.action,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return urlencode({key: value for key, value in given.items() if value})

    def apply(self, events: QuerySet[Event]) -> QuerySet[Event]:
        """``events`` narrowed by these filters (``audit.selectors.events_filtered``)."""
        return selectors.events_filtered(
            events, actor=self.actor, action=self.action, since=self.since, until=self.until
        )


def _date(params: Any, key: str) -> dt.date | None:
    raw = params.get(key, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadFilter(f"The “{key}” filter must be a date written YYYY-MM-DD.") from None


def filters_parse(params: Any) -> Filters:
    """The filters of a web page's query string, as a person types them (blanks ignored, a
    long term cut to what a column holds); raises ``BadFilter`` for a date that is not one,
    or a ``since`` after ``until``."""
    return Filters(
        actor=params.get("actor", "").strip()[:ACTOR_MAX],
        action=params.get("action", "").strip()[:ACTION_MAX],
        since=_date(params, "since"),
        until=_date(params, "until"),
    )


# --- downloads --------------------------------------------------------------------------------


def compact(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def exported(event: Event) -> dict[str, Any]:
    """An event as every export shows it (``EXPORT_COLUMNS``); needs the event's project and
    organization selected with it (``audit.selectors`` does)."""
    return {
        "created": event.created.isoformat(),
        "action": event.action,
        "actor_kind": event.actor_kind,
        "actor_name": event.actor_name,
        "project": event.project.name if event.project is not None else None,
        "organization": event.organization.name if event.organization is not None else None,
        "target": event.target,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "data": event.data,
    }


def _each(events: QuerySet[Event]) -> Iterator[Event]:
    return events.iterator(chunk_size=500)


def json_lines(events: QuerySet[Event]) -> Iterator[str]:
    for event in _each(events):
        yield json.dumps(exported(event), separators=(",", ":"), ensure_ascii=False) + "\n"


def csv_cell(value: Any) -> str:
    """A value as a CSV cell no spreadsheet runs as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else compact(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """What ``csv.writer`` writes to: the line it was given."""

    def write(self, line: str) -> str:
        return line


def csv_lines(events: QuerySet[Event]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(EXPORT_COLUMNS)
    for event in _each(events):
        row = exported(event)
        yield writer.writerow([csv_cell(row[column]) for column in EXPORT_COLUMNS])


def _streamed(lines: Iterable[str], content_type: str, filename: str) -> StreamingHttpResponse:
    """Every matching event, streamed as it is read (the trail may be long)."""
    response = StreamingHttpResponse(
        (line.encode() for line in lines), content_type=f"{content_type}; charset=utf-8"
    )
    # The names are normalized project or organization names and a date: nothing to escape.
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def download(events: QuerySet[Event], fmt: str, *, filename: str) -> StreamingHttpResponse:
    """All of ``events`` as a ``csv`` or ``jsonl`` download named ``<filename>-<date>``."""
    stamp = timezone.now().strftime("%Y%m%d")
    if fmt == CSV:
        return _streamed(csv_lines(events), "text/csv", f"{filename}-{stamp}.csv")
    if fmt == JSON_LINES:
        return _streamed(json_lines(events), "application/x-ndjson", f"{filename}-{stamp}.jsonl")
    raise ValueError(f"Not an export format: {fmt!r}")
