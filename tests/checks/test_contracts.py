"""The import-linter contract types of our own (checks/contracts.py) catch what they promise."""

import ast
import importlib
import textwrap

import grimp
import pytest

from checks.contracts import AccessOnlyContract, _strongly_connected, _violations, violations_in


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
        # a match on the attribute, or on a tuple holding it, or a class pattern naming it
        "match project.visibility:\n case Visibility.PUBLIC: pass",
        "match (project.visibility, user):\n case _: pass",
        "match project:\n case Project(visibility='public'): pass",
        # getattr and attrgetter by name
        "if getattr(project, 'visibility') == 'public': pass",
        "level = getattr(membership, 'role', None)",
        "key = operator.attrgetter('project.visibility')",
        # a lookup spelt as a dict literal, a When/Case, a Q child tuple
        "Project.objects.filter(**{'visibility': 'public'})",
        "qs.exclude(**{'team__members__role__in': CREATORS})",
        "qs.annotate(x=Case(When(visibility='public', then=Value(1)), default=Value(0)))",
        "When(organization__members__role='owner', then=True)",
        "Case(When(Q(('visibility', 'private')), then=Value(0)))",
        # what a quarantine means is decided in the access package (S1.42)
        "if project.status == ProjectStatus.QUARANTINED: pass",
        "hidden = project.status in (ProjectStatus.QUARANTINED, ProjectStatus.ARCHIVED)",
        "qs.exclude(status=ProjectStatus.QUARANTINED)",
        "qs.filter(**{'status': ProjectStatus.QUARANTINED})",
        "match project.status:\n case ProjectStatus.QUARANTINED: pass",
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
        "project.status = ProjectStatus.QUARANTINED",  # a service setting it
        "name = getattr(project, 'name')",
        "Project.objects.filter(**{'name': name})",
        "Project.objects.filter(**lookups)",
        "qs.annotate(x=Case(When(status='active', then=Value(1))))",
        "match project.name:\n case 'x': pass",
    ],
)
def test_writes_display_and_named_surfaces_are_fine(source):
    assert list(_violations(ast.parse(source))) == []


def _source(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_a_pragma_with_a_reason_excuses_its_line():
    source = _source("""
        if project.visibility == old:  # access: a no-op write is skipped, nothing is decided
            pass
        if project.visibility == "public":
            pass
    """)
    assert violations_in(source) == [(3, "compares .visibility")]


def test_a_pragma_after_another_comment_counts():
    source = "ok = 'read' in token.scopes  # type: ignore[misc]  # access: the model's own check\n"
    assert violations_in(source) == []


def test_a_pragma_on_any_line_of_the_flagged_expression_excuses_it():
    source = _source("""
        qs = Project.objects.filter(
            name=name,
            visibility=visibility,  # access: copying the row, not deciding
        )
        decide(
            principal,
            Action.READ,
            project,  # access: the policy's own tests ask without a surface
        )
    """)
    assert violations_in(source) == []


def test_a_pragma_on_another_line_excuses_nothing_there():
    source = _source("""
        # access: the next line is fine
        if project.visibility == "public":
            pass
    """)
    assert violations_in(source) == [
        (1, "has an `# access:` pragma that excuses nothing"),
        (2, "compares .visibility"),
    ]


@pytest.mark.parametrize("pragma", ["# access:", "# access:   ", "#access:", "# access: # noqa"])
def test_a_pragma_without_a_reason_is_a_violation_and_excuses_nothing(pragma):
    source = f"if project.visibility == 'public':  {pragma}\n    pass\n"
    assert violations_in(source) == [
        (1, "compares .visibility"),
        (1, "has an `# access:` pragma without a reason"),
    ]


def test_a_pragma_that_excuses_nothing_is_a_violation():
    assert violations_in("x = 1  # access: left over from a refactoring\n") == [
        (1, "has an `# access:` pragma that excuses nothing")
    ]


def test_the_pragma_is_a_comment_not_a_string():
    source = 'text = "# access: in a string"\nif project.role == OWNER:\n    pass\n'
    assert violations_in(source) == [(2, "compares .role")]


@pytest.fixture
def fakeapp(tmp_path, monkeypatch):
    """A package ``fakeapp`` on the path, with one violation in ``fakeapp.views``, and its
    import graph."""
    package = tmp_path / "fakeapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "views.py").write_text("if project.visibility == 'public':\n    pass\n")
    (package / "models.py").write_text("x = 1  # access: \n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    graph = grimp.ImportGraph()
    for module in ("fakeapp", "fakeapp.views", "fakeapp.models"):
        graph.add_module(module)
    return graph


def _check(graph, **options):
    contract = AccessOnlyContract(
        "access only", {}, {"packages": ["fakeapp"], "access_package": "access", **options}
    )
    return contract.check(graph, verbose=False)


def test_the_contract_reports_violations_and_reasonless_pragmas_by_module(fakeapp):
    check = _check(fakeapp)
    assert not check.kept
    assert check.metadata["found"] == [
        "fakeapp.models:1 has an `# access:` pragma without a reason",
        "fakeapp.views:1 compares .visibility",
    ]


def test_an_ignored_module_is_not_checked(fakeapp):
    check = _check(fakeapp, ignore=["fakeapp.views", "fakeapp.models"])
    assert check.kept


@pytest.mark.parametrize("entry", ["fakeapp.gone", "fakeapp.view", "otherapp"])
def test_an_ignore_entry_that_matches_no_module_breaks_the_contract(fakeapp, entry):
    check = _check(fakeapp, ignore=["fakeapp.views", "fakeapp.models", entry])
    assert not check.kept
    assert check.metadata["found"] == [
        f"ignore entry {entry!r} matches no module of the contract's packages"
    ]
