"""Requirement coverage, the data: requirements, sections, citations and who cites them.

Parsing of the reference and of docs/standards.md; see ``standards.py`` for the whole story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TITLE_LIMIT = 160
DASHES = "-\u2013"  # hyphen and en dash, both used for ranges

# Reference: "## S1. Simple Repository API (PEP 503, ...)" and "- **S1.27 MUST**: Each ...".
REF_SECTION = re.compile(r"^## (S\d+)\. (.+?)\s*$")
REF_ITEM = re.compile(r"^- \*\*(S\d+\.\d+)\b(.*?)\*\*(.*)$")
# Our own output: "## S1. Simple Repository API" and "- **S1.27** MUST: Each ...".
DOC_SECTION = REF_SECTION
DOC_ITEM = re.compile(r"^- \*\*(S\d+\.\d+)\*\* (.+)$")
# A citation: S1.27, S3.5.15 (a sub-item), S5.1-S5.3 (a range within one section).
CITATION = re.compile(
    r"(?<![\w.])S(\d+)\.(\d+)(?:\.(\d+))?(?![\w.]?\d)"
    rf"(?:\s*[{DASHES}]\s*S(\d+)\.(\d+)(?![\w.]?\d))?"
)
SECTION_COMMENT = re.compile(r"^#.*[-=]{4,}\s*$")
ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.", "approx.")


class StandardsError(Exception):
    """A problem the user must fix (unknown ID, bad range, missing input)."""


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str


@dataclass
class Section:
    key: str
    title: str
    requirements: list[Requirement] = field(default_factory=list)


@dataclass(frozen=True)
class Citation:
    id: str
    sub: int | None  # 15 for "S3.5.15"


@dataclass(frozen=True, order=True)
class Citer:
    """Where a citation counts: a test function, or a whole module (``function`` empty)."""

    path: str
    line: int
    function: str = ""

    def label(self) -> str:
        if not self.function:
            return f"`{self.path}` (module)"
        return f"`{self.path}::{self.function}`"


# -- The requirements -----------------------------------------------------------------------


def first_sentence(text: str) -> str:
    """The text up to the first full stop outside backticks and parentheses."""
    in_code = False
    depth = 0
    for index, char in enumerate(text):
        if char == "`":
            in_code = not in_code
        elif in_code:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif (
            char == "."
            and depth == 0
            and text[index + 1 : index + 2] in ("", " ")
            and not text[: index + 1].endswith(ABBREVIATIONS)
        ):
            return text[: index + 1]
    return text


def shorten(text: str, limit: int = TITLE_LIMIT) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    if cut.count("`") % 2:
        cut = cut[: cut.rindex("`")].rstrip()
    return cut + " \u2026"


def _clean(text: str) -> str:
    text = text.split("*Source:", 1)[0]
    return " ".join(text.replace("**", "").split()).lstrip(": ").strip()


def summarize(label: str, lines: list[str]) -> str:
    """One line: the level (``MUST``, ``PARITY (...)``) and the first sentence.

    ``lines`` is the item as written: its first paragraph, then perhaps a list. When the first
    sentence only introduces that list ("has these keys:"), the list's first sentences follow.
    """
    paragraph: list[str] = []
    bullets: list[list[str]] = []
    for raw in lines:
        if not raw.strip():
            break  # what follows a blank line is a source note
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        bullet = re.match(r"(?:[-*]|\d+\.) (.*)", stripped)
        if bullet and indent <= 2 and paragraph:
            bullets.append([bullet[1]])
        elif bullet and bullets:
            continue  # a nested list
        elif bullets:
            bullets[-1].append(stripped)
        else:
            paragraph.append(stripped)
    label = " ".join(label.split())
    sentence = first_sentence(_clean(" ".join(paragraph))).strip()
    if (not sentence or sentence.endswith(":")) and bullets:
        points = [first_sentence(_clean(" ".join(b))).rstrip(".:; ") for b in bullets]
        sentence = " ".join(filter(None, [sentence, "; ".join(points)]))
    sentence = sentence.rstrip(":").strip()
    if label.startswith("(") and label.endswith(")"):
        label = label[1:-1]  # "(project creation, when ...)": the level is not given
    summary = f"{label}: {sentence}" if label and sentence else label or sentence
    return shorten(summary)


def parse_reference(text: str) -> list[Section]:
    sections: list[Section] = []
    item: tuple[str, str, list[str]] | None = None

    def close() -> None:
        nonlocal item
        if item is not None:
            requirement_id, label, lines = item
            sections[-1].requirements.append(Requirement(requirement_id, summarize(label, lines)))
            item = None

    for line in text.splitlines():
        if match := REF_SECTION.match(line):
            close()
            title = re.sub(r"\s*\([^()]*\)$", "", match[2])  # drop the trailing source list
            sections.append(Section(match[1], title))
        elif match := REF_ITEM.match(line):
            close()
            if not sections:
                raise StandardsError(f"{match[1]} appears before any section heading")
            item = (match[1], match[2], [match[3]])
        elif item is not None and (line.startswith(" ") or not line.strip()):
            item[2].append(line)  # the item goes on: indented lines, blank lines
        else:
            close()
    close()
    return _checked(sections, "the reference")


def parse_document(text: str) -> list[Section]:
    """The sections and requirements listed in a docs/standards.md this script wrote."""
    sections: list[Section] = []
    for line in text.splitlines():
        if match := DOC_SECTION.match(line):
            sections.append(Section(match[1], match[2]))
        elif match := DOC_ITEM.match(line):
            if not sections:
                raise StandardsError(f"{match[1]} appears before any section heading")
            sections[-1].requirements.append(Requirement(match[1], match[2]))
    return _checked(sections, "docs/standards.md")


def _checked(sections: list[Section], source: str) -> list[Section]:
    seen: set[str] = set()
    for section in sections:
        for requirement in section.requirements:
            if requirement.id in seen:
                raise StandardsError(f"{requirement.id} is listed twice in {source}")
            if not requirement.id.startswith(section.key + "."):
                raise StandardsError(f"{requirement.id} is listed under {section.key} in {source}")
            seen.add(requirement.id)
    if not seen:
        raise StandardsError(f"no requirement IDs found in {source}")
    return sections


# -- The citations --------------------------------------------------------------------------
