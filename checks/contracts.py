"""import-linter contract types of our own (``lint-imports``, run by ``make check``).

- ``acyclic``: no module imports itself through others, anywhere in the root packages.
- ``access_only``: nothing outside the access package *reads* visibility, roles or scopes to
  decide something: no comparison with them, no queryset filter on them, no call of the
  principal's narrowing methods; and every ``decide()``/``precheck()`` names its surface.
  Writes (a service setting ``visibility``) and display (a serializer field) are fine.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
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
_FILTERS = frozenset({"filter", "exclude", "get", "Q"})
_LOOKUPS = ("visibility", "role", "scopes")


def _violations(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                if isinstance(operand, ast.Attribute) and operand.attr in _ATTRIBUTES:
                    yield node.lineno, f"compares .{operand.attr}"
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _METHODS:
                yield node.lineno, f"calls .{name}()"
            if name in _ASKING:
                surface = next((k.value for k in node.keywords if k.arg == "surface"), None)
                if surface is None or (isinstance(surface, ast.Constant) and surface.value is None):
                    yield node.lineno, f"asks {name}() without naming its surface"
            if name in _FILTERS:
                for keyword in node.keywords:
                    arg = keyword.arg or ""
                    lookup = arg.split("__")
                    if any(part in _LOOKUPS for part in lookup):
                        yield node.lineno, f"filters on {arg}"


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


class AccessOnlyContract(Contract):
    """Only ``access_package`` reads visibility, roles and scopes to decide."""

    type_name = "access_only"
    packages = fields.ListField(subfield=fields.StringField())
    access_package = fields.StringField()
    ignore = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        access = cast(str, self.access_package)
        ignored = tuple(cast("list[str] | None", self.ignore) or ())
        found: list[str] = []
        for package in cast("list[str]", self.packages):
            for module in sorted(graph.find_descendants(package) | {package}):
                if module == access or module.startswith(access + "."):
                    continue
                if ".migrations." in module or module.startswith(ignored):
                    continue
                path = _source(module)
                if path is None:
                    continue
                tree = ast.parse(path.read_text(), filename=str(path))
                found += [f"{module}:{line} {what}" for line, what in _violations(tree)]
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["found"]:
            output.print_error(f"{line}: decide it in the access package")
        output.new_line()
