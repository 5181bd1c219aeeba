"""Fail when the coverage of a part of the code base falls below its floor.

    python scripts/coverage_floors.py [--data-file .coverage]

Reads the combined coverage data that ``make test`` leaves in ``.coverage`` (pytest-cov
combines the xdist workers' data into it) and the floors in pyproject.toml::

    [tool.privindex.coverage-floors]
    "projects/access.py" = 95    # a file
    "tokens/" = 90               # a directory: every measured file under it, together

A key is a path relative to the repository root; one ending in ``/`` is a directory. The
figure is coverage.py's total for the matched files: statements and branches (``branch =
true`` in ``[tool.coverage.run]``) counted together, as ``coverage report`` prints it. A key
that matches no measured file is an error, not a pass: when code moves, its floor moves with
it. Exits 1 if any floor is missed, 2 if there is no coverage data or no floors.
"""

from __future__ import annotations

import argparse
import io
import sys
import tomllib
from pathlib import Path

import coverage
from coverage.exceptions import NoDataError

ROOT = Path(__file__).resolve().parents[1]


def read_floors(pyproject: Path) -> dict[str, float]:
    with pyproject.open("rb") as fh:
        config = tomllib.load(fh)
    floors = config.get("tool", {}).get("privindex", {}).get("coverage-floors", {})
    return {str(prefix): float(floor) for prefix, floor in floors.items()}


def matches(relative: str, prefix: str) -> bool:
    return relative.startswith(prefix) if prefix.endswith("/") else relative == prefix


def measured_files(cov: coverage.Coverage, root: Path) -> dict[str, str]:
    """Relative path (with ``/``) -> the file name as recorded in the data."""
    files: dict[str, str] = {}
    for recorded in cov.get_data().measured_files():
        try:
            relative = Path(recorded).resolve().relative_to(root)
        except ValueError:  # outside the repository
            continue
        files[relative.as_posix()] = recorded
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-file", default=str(ROOT / ".coverage"))
    parser.add_argument("--pyproject", default=str(ROOT / "pyproject.toml"))
    args = parser.parse_args(argv)

    pyproject = Path(args.pyproject).resolve()
    floors = read_floors(pyproject)
    if not floors:
        print(f"coverage floors: none in [tool.privindex.coverage-floors] of {pyproject}")
        return 2
    if not Path(args.data_file).exists():
        print(f"coverage floors: no coverage data at {args.data_file} (run make test first)")
        return 2

    cov = coverage.Coverage(data_file=args.data_file, config_file=str(pyproject))
    cov.load()
    files = measured_files(cov, pyproject.parent)

    failed = False
    print("coverage floors (statements and branches, from " + Path(args.data_file).name + "):")
    width = max(len(prefix) for prefix in floors)
    for prefix, floor in floors.items():
        chosen = sorted(name for relative, name in files.items() if matches(relative, prefix))
        if not chosen:
            print(f"  {prefix:<{width}}    --    floor {floor:g}%  FAIL: no measured file here")
            failed = True
            continue
        table = io.StringIO()
        try:
            percent = cov.report(morfs=chosen, file=table)
        except NoDataError:
            percent = 0.0
        ok = percent >= floor
        verdict = "ok" if ok else "FAIL"
        print(f"  {prefix:<{width}}  {percent:5.1f}%  floor {floor:g}%  {verdict}")
        if not ok:
            failed = True
            print(table.getvalue())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
