"""Requirement coverage, the tests: every citation of a requirement ID under tests/.

See ``standards.py`` for the forms a citation takes and where it counts.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from standards_reference import (
    CITATION,
    SECTION_COMMENT,
    Citation,
    Citer,
    StandardsError,
)


def text_tokens(source: str) -> Iterator[tuple[int, str, bool]]:
    """(line, text, is_comment) of every comment and string literal."""
    kinds = {tokenize.COMMENT, tokenize.STRING}
    fstring_middle = getattr(tokenize, "FSTRING_MIDDLE", None)  # Python 3.12+
    if fstring_middle is not None:
        kinds.add(fstring_middle)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in kinds:
            yield token.start[0], token.string, token.type == tokenize.COMMENT


def citations_in(text: str, line: int, known: set[str], problems: list[str]) -> list[Citation]:
    """The known IDs ``text`` cites, ranges expanded; each unknown ID adds to ``problems``."""
    found: list[Citation] = []
    for match in CITATION.finditer(text):
        start = f"S{match[1]}.{match[2]}"
        ids = [start]
        if match[4] is not None:
            if match[4] != match[1] or int(match[5]) <= int(match[2]) or match[3]:
                problems.append(f"{line}: {match[0]!r} is not a range within one section")
                continue
            ids = [f"S{match[1]}.{n}" for n in range(int(match[2]), int(match[5]) + 1)]
        for requirement_id in ids:
            if requirement_id not in known:
                problems.append(f"{line}: {requirement_id} is not a requirement ID")
                continue
            sub = int(match[3]) if match[3] and requirement_id == start else None
            found.append(Citation(requirement_id, sub))
    return found


@dataclass
class _Test:
    name: str
    first: int  # first decorator, or the def line
    last: int
    decorator_names: set[str]


def _tests_of(tree: ast.Module) -> list[_Test]:
    found: list[_Test] = []

    def add(node: ast.FunctionDef | ast.AsyncFunctionDef, prefix: str = "") -> None:
        names = {n.id for d in node.decorator_list for n in ast.walk(d) if isinstance(n, ast.Name)}
        first = min([d.lineno for d in node.decorator_list] + [node.lineno])
        found.append(_Test(prefix + node.name, first, node.end_lineno or node.lineno, names))

    def is_test(node: ast.stmt) -> TypeGuard[ast.FunctionDef | ast.AsyncFunctionDef]:
        functions = (ast.FunctionDef, ast.AsyncFunctionDef)
        return isinstance(node, functions) and node.name.startswith("test")

    for node in tree.body:
        if is_test(node):
            add(node)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for inner in filter(is_test, node.body):
                add(inner, prefix=f"{node.name}::")
    return found


def _tables_of(tree: ast.Module) -> list[tuple[int, int, set[str]]]:
    """(first line, last line, names) of every module-level assignment."""
    tables = []
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        if names:
            tables.append((node.lineno, node.end_lineno or node.lineno, names))
    return tables


def module_citations(
    path: Path, relative: str, known: set[str], problems: list[str]
) -> dict[Citer, set[Citation]]:
    """Which test of the module (or the module itself) each citation counts for."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source, filename=relative)
    tests = _tests_of(tree)
    tables = _tables_of(tree)
    cited: dict[Citer, set[Citation]] = defaultdict(set)

    starts = {t.first for t in tests} | {first for first, _, _ in tables}

    def statement_below(line: int) -> int | None:
        """The first line of the statement whose leading comment block holds ``line``."""
        below = line  # the 0-based index of the next line
        while below < len(lines) and lines[below].lstrip().startswith("#"):
            below += 1
        return below + 1 if below + 1 in starts else None

    # Every section comment ends the one before, whether it cites anything or not.
    sections: list[tuple[int, list[Citation]]] = []
    for line, text, is_comment in text_tokens(source):
        found = citations_in(text, line, known, problems)
        if is_comment and SECTION_COMMENT.match(lines[line - 1]):
            sections.append((line, found))
            continue
        if not found:
            continue
        owner_line = line
        if is_comment and lines[line - 1].lstrip().startswith("#"):
            owner_line = statement_below(line) or line
        owners = [t for t in tests if t.first <= owner_line <= t.last]
        if not owners:
            table_names = {
                name
                for first, last, names in tables
                if first <= owner_line <= last
                for name in names
            }
            owners = [t for t in tests if t.decorator_names & table_names]
        if owners:
            for test in owners:
                cited[Citer(relative, test.first, test.name)].update(found)
        else:
            cited[Citer(relative, 0)].update(found)

    for index, (line, found) in enumerate(sections):
        end = sections[index + 1][0] if index + 1 < len(sections) else len(lines) + 1
        for test in tests:
            if line < test.first < end:
                cited[Citer(relative, test.first, test.name)].update(found)
    return cited


def collect_citations(
    known: set[str], source: str, *, root: Path
) -> dict[str, dict[Citer, set[int]]]:
    """ID -> citing test -> sub-items cited. Raises StandardsError listing every problem."""
    coverage: dict[str, dict[Citer, set[int]]] = defaultdict(lambda: defaultdict(set))
    problems: list[str] = []
    for path in sorted((root / "tests").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        found: list[str] = []
        try:
            cited = module_citations(path, relative, known, found)
        except (SyntaxError, tokenize.TokenError) as exc:
            problems.append(f"{relative}: cannot be read as Python ({exc})")
            continue
        problems.extend(f"{relative}:{problem}" for problem in found)
        if not path.name.startswith("test_"):
            continue  # helpers and conftests: their citations are checked, not counted
        for citer, citations in cited.items():
            for citation in citations:
                subs = coverage[citation.id][citer]
                if citation.sub is not None:
                    subs.add(citation.sub)
    if problems:
        raise StandardsError(
            f"{len(problems)} bad citation(s) in tests/ (requirement IDs from {source}):\n  "
            + "\n  ".join(problems)
        )
    return coverage


# -- The document ---------------------------------------------------------------------------
