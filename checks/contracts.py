"""import-linter contract types of our own (``lint-imports``, run by ``make check``).

- ``acyclic``: no module imports itself through others, anywhere in the root packages.
- ``access_only``: nothing outside the access package *reads* visibility, roles or scopes to
  decide something: no comparison or ``match`` on them, no ``getattr()`` of them, no queryset
  filter on them (keywords, ``**{...}``, ``Q``, ``When``/``Case``), no call of the
  principal's narrowing methods, no comparison or filter with ``.QUARANTINED``; and every
  ``decide()``/``precheck()`` names its surface. Writes (a service setting ``visibility``)
  and display (a serializer field) are fine. A line that must do one of these anyway says
  why: ``# access: <reason>`` (a pragma with no reason, or one that excuses nothing, is
  itself reported).
"""

from __future__ import annotations

import ast
import importlib.util
import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import cast

import grimp
from importlinter import Contract, ContractCheck, fields, output


def _strongly_connected(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Tarjan's algorithm over the module graph: every group of modules that import each other
    in a loop (iterative, so deep graphs do not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = []
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work.append((root, iter(sorted(graph.find_modules_directly_imported_by(root) & modules))))
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    imported = graph.find_modules_directly_imported_by(child) & modules
                    work.append((child, iter(sorted(imported))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


# import-linter replaces each field on the instance with its parsed value (a field declared
# ``ListField(subfield=StringField())`` reads as a ``list[str]``), which its types cannot say:
# hence the casts in ``check()``.
class AcyclicContract(Contract):
    """No import cycles between modules of the given packages."""

    type_name = "acyclic"
    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        modules = {
            module
            for package in cast("list[str]", self.packages)
            for module in graph.find_descendants(package) | {package}
        }
        cycles = _strongly_connected(graph, modules)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error(f"These modules import each other in a loop: {', '.join(cycle)}")
            output.new_line()


# What only the access package may read to decide.
_ATTRIBUTES = frozenset({"visibility", "role", "scopes"})
_METHODS = frozenset({"has_scope", "token_covers", "actions_on"})
# Outside the access package every question names the surface it is asked through, so the
# credential table is never skipped (``surface=None`` is for the policy's own tests).
_ASKING = frozenset({"decide", "precheck", "credential_check", "status_change_decide"})
_FILTERS = frozenset({"filter", "exclude", "get", "Q", "When", "Case"})
_LOOKUPS = ("visibility", "role", "scopes")
_GETTERS = frozenset({"getattr", "attrgetter"})
# What a quarantine means (no files, S1.42) is decided in ``access/status.py``.
_DECIDED_STATUS = "QUARANTINED"
# ``# access: <reason>``, also after another comment on the line (``# type: ignore[...]``);
# the reason runs to the next ``#``.
_PRAGMA = re.compile(r"#\s*access:([^#]*)")

# A finding: first line, last line (a pragma on any of them excuses it), what it does.
_Finding = tuple[int, int, str]


def _lines(node: ast.expr | ast.stmt | ast.keyword | ast.pattern) -> tuple[int, int]:
    return node.lineno, node.end_lineno or node.lineno


def _elements(node: ast.expr) -> Iterator[ast.expr]:
    """``node``, and the elements of a tuple, list or set literal (``x in (a, b)``)."""
    yield node
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        yield from node.elts


def _read(node: ast.expr) -> str | None:
    """What ``node`` reads directly: ``"visibility"`` for ``x.visibility``, ``"QUARANTINED"``
    for ``ProjectStatus.QUARANTINED``; otherwise None."""
    if isinstance(node, ast.Attribute) and (
        node.attr in _ATTRIBUTES or node.attr == _DECIDED_STATUS
    ):
        return node.attr
    return None


def _is_lookup(key: str) -> bool:
    return any(part in _LOOKUPS for part in key.split("__"))


def _lookup_key(node: ast.expr | None) -> str | None:
    """The string of a constant key that names an access lookup (``"visibility__in"``)."""
    value = node.value if isinstance(node, ast.Constant) else None
    return value if isinstance(value, str) and _is_lookup(value) else None


def _filter_findings(node: ast.Call, name: str) -> Iterator[_Finding]:
    for keyword in node.keywords:
        if keyword.arg is not None:
            if _is_lookup(keyword.arg):
                yield *_lines(keyword), f"filters on {keyword.arg}"
            if _read(keyword.value) == _DECIDED_STATUS:
                yield *_lines(keyword), f"filters on {keyword.arg}=.{_DECIDED_STATUS}"
        elif isinstance(keyword.value, ast.Dict):  # .filter(**{"visibility": ...})
            for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                if (lookup := _lookup_key(key)) is not None:
                    yield *_lines(keyword), f"filters on **{{{lookup!r}: ...}}"
                if _read(value) == _DECIDED_STATUS:
                    yield *_lines(keyword), f"filters on **{{...: .{_DECIDED_STATUS}}}"
    for arg in node.args:  # Q(("visibility", "public"))
        first = arg.elts[0] if isinstance(arg, ast.Tuple) and arg.elts else None
        if (lookup := _lookup_key(first)) is not None:
            yield *_lines(arg), f"filters on {lookup} in {name}()"


def _call_findings(node: ast.Call) -> Iterator[_Finding]:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name in _METHODS:
        yield *_lines(node), f"calls .{name}()"
    if name in _ASKING:
        surface = next((k.value for k in node.keywords if k.arg == "surface"), None)
        if surface is None or (isinstance(surface, ast.Constant) and surface.value is None):
            yield *_lines(node), f"asks {name}() without naming its surface"
    if name in _FILTERS:
        yield from _filter_findings(node, name)
    if name in _GETTERS:
        # getattr(x, "visibility"), attrgetter("project.visibility")
        names = node.args[1:2] if name == "getattr" else node.args
        for arg in names:
            value = arg.value if isinstance(arg, ast.Constant) else None
            if isinstance(value, str) and _ATTRIBUTES & set(value.split(".")):
                yield *_lines(node), f"reads {value!r} with {name}()"


def _match_findings(node: ast.Match) -> Iterator[_Finding]:
    for element in _elements(node.subject):
        if (attr := _read(element)) in _ATTRIBUTES:
            yield *_lines(node.subject), f"matches on .{attr}"
    for case in node.cases:
        for pattern in ast.walk(case.pattern):
            if isinstance(pattern, ast.MatchValue) and _read(pattern.value) == _DECIDED_STATUS:
                yield *_lines(pattern), f"matches .{_DECIDED_STATUS}"
            if isinstance(pattern, ast.MatchClass):  # case Project(visibility=...)
                for attr in _ATTRIBUTES.intersection(pattern.kwd_attrs):
                    yield *_lines(pattern), f"matches on .{attr}"


def _violations(tree: ast.AST) -> Iterator[_Finding]:
    """Every read of access data in ``tree``, pragmas not considered."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                for element in _elements(operand):
                    if (attr := _read(element)) is not None:
                        yield *_lines(node), f"compares .{attr}"
        elif isinstance(node, ast.Call):
            yield from _call_findings(node)
        elif isinstance(node, ast.Match):
            yield from _match_findings(node)


def _pragmas(source: str) -> dict[int, str]:
    """Line → the reason of its ``# access:`` pragma (``""`` when it gives none)."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and (match := _PRAGMA.search(token.string)):
            found[token.start[0]] = match.group(1).strip()
    return found


def violations_in(source: str, filename: str = "<unknown>") -> list[tuple[int, str]]:
    """(line, what) of every read of access data in ``source`` that no ``# access: <reason>``
    pragma on one of its lines excuses, and of every pragma without a reason or that excuses
    nothing."""
    pragmas = _pragmas(source)
    found: list[tuple[int, str]] = []
    used: set[int] = set()
    for first, last, what in _violations(ast.parse(source, filename=filename)):
        excusing = [line for line in range(first, last + 1) if pragmas.get(line)]
        if excusing:
            used.update(excusing)
        else:
            found.append((first, what))
    for line, reason in pragmas.items():
        if not reason:
            found.append((line, "has an `# access:` pragma without a reason"))
        elif line not in used:
            found.append((line, "has an `# access:` pragma that excuses nothing"))
    return sorted(set(found))


def _source(module: str) -> Path | None:
    """The file of ``module``, found without importing it (Django is not set up here)."""
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)
    if spec is None or spec.origin is None:
        return None
    base = Path(spec.origin).parent.joinpath(*rest)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _within(module: str, packages: Iterable[str]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


class AccessOnlyContract(Contract):
    """Only ``access_package`` reads visibility, roles and scopes to decide.

    ``ignore`` (modules or packages skipped whole) is on its way out in favour of the
    ``# access: <reason>`` pragma; an entry that matches no checked module breaks the
    contract, so a renamed module cannot leave a stale exemption behind.
    """

    type_name = "access_only"
    packages = fields.ListField(subfield=fields.StringField())
    access_package = fields.StringField()
    ignore = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        access = cast(str, self.access_package)
        ignored = cast("list[str] | None", self.ignore) or []
        modules = {
            module
            for package in cast("list[str]", self.packages)
            for module in graph.find_descendants(package) | {package}
            if not _within(module, [access]) and ".migrations." not in module
        }
        found = [
            f"ignore entry {entry!r} matches no module of the contract's packages"
            for entry in ignored
            if not any(_within(module, [entry]) for module in modules)
        ]
        for module in sorted(modules):
            path = _source(module)
            if path is None or _within(module, ignored):
                continue
            for line, what in violations_in(path.read_text(), filename=str(path)):
                found.append(f"{module}:{line} {what}")
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["found"]:
            output.print_error(line)
        output.new_line()
        output.print(
            "Decide it in the access package; where a line must read access data anyway, "
            "say why on it: # access: <reason>"
        )
        output.new_line()
