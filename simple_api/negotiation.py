"""PEP 691 content negotiation for the simple API (S1.31-S1.36)."""

from __future__ import annotations

JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
TEXT_HTML = "text/html"

# What we offer, most preferred first: on equal q the spec prefers JSON (S1.33).
OFFERS = (JSON_V1, HTML_V1, TEXT_HTML)
_ALIASES = {
    "application/vnd.pypi.simple.latest+json": JSON_V1,
    "application/vnd.pypi.simple.latest+html": HTML_V1,
}
FORMAT_VALUES = frozenset(OFFERS) | frozenset(_ALIASES)


def _parse_accept(header: str) -> list[tuple[str, float]]:
    entries = []
    for part in header.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        entries.append((_ALIASES.get(media.lower(), media.lower()), max(0.0, min(q, 1.0))))
    return entries


def _quality(offer: str, entries: list[tuple[str, float]]) -> float:
    """The q of the most specific entry matching ``offer`` (exact, type/*, */*)."""
    kind = offer.split("/")[0]
    best: tuple[int, float] | None = None
    for media, q in entries:
        if media == offer:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q)
    return best[1] if best else 0.0


def select_content_type(accept: str | None, format_param: str | None = None) -> str | None:
    """The content type to answer with, or None for 406.

    ``?format=`` overrides ``Accept`` when it names one of our types (S1.36). A missing
    ``Accept``, a bare ``*/*`` and ``text/html`` get ``text/html`` (S1.34).
    """
    if format_param:
        chosen = _ALIASES.get(format_param.strip().lower(), format_param.strip().lower())
        if chosen in OFFERS:
            return chosen
    if not accept or not accept.strip():
        return TEXT_HTML
    entries = _parse_accept(accept)
    if not entries:
        return TEXT_HTML
    # Only wildcards: browsers, curl and old installers want HTML.
    if all(media in ("*/*", "text/*", "application/*") for media, _ in entries):
        return TEXT_HTML if any(m != "application/*" for m, _ in entries) else JSON_V1
    best, best_q = None, 0.0
    for offer in OFFERS:
        q = _quality(offer, entries)
        if q > best_q:
            best, best_q = offer, q
    return best
