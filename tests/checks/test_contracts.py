"""The import-linter contract types of our own (checks/contracts.py) catch what they promise."""

import ast

import grimp
import pytest

from checks.contracts import _strongly_connected, _violations


def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported)
    return graph


def test_a_loop_of_three_modules_is_one_cycle():
    graph = _graph(("a.x", "a.y"), ("a.y", "a.z"), ("a.z", "a.x"), ("a.z", "a.w"))
    assert _strongly_connected(graph, set(graph.modules)) == [["a.x", "a.y", "a.z"]]


def test_a_tree_of_imports_has_no_cycle():
    graph = _graph(("a.x", "a.y"), ("a.x", "a.z"), ("a.y", "a.z"))
    assert _strongly_connected(graph, set(graph.modules)) == []


@pytest.mark.parametrize(
    "source",
    [
        "if project.visibility == 'public': pass",
        "ok = 'read' in token.scopes",
        "if role.role != OWNER: pass",
        "Project.objects.filter(visibility='public')",
        "qs.exclude(organization__members__role__in=CREATORS)",
        "principal.has_scope('read')",
        "principal.token_covers(project)",
        "decide(principal, Action.READ, project)",
        "decide(principal, Action.READ, project, surface=None)",
        "precheck(principal, Action.READ)",
    ],
)
def test_reading_access_data_outside_the_access_package_is_flagged(source):
    assert list(_violations(ast.parse(source)))


@pytest.mark.parametrize(
    "source",
    [
        "project.visibility = visibility",  # a service writing it
        "data = {'visibility': project.visibility}",  # an answer showing it
        "decide(principal, Action.READ, project, surface=Surface.SIMPLE)",
        "File.objects.filter(release__project=project)",
    ],
)
def test_writes_display_and_named_surfaces_are_fine(source):
    assert list(_violations(ast.parse(source))) == []
