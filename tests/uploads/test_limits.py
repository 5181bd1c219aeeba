"""``uploads.limits`` holds copies of column lengths (``uploads`` may not import the models):
each equals the ``max_length`` of every column its value goes into, so they cannot drift."""

import pytest

from projects.models import File, FilenameRegistry, Project, Release
from uploads import limits

COLUMNS = {
    "NAME_MAX": [
        (Project, "name"),
        (Project, "normalized_name"),
        (Project, "ultranormalized_name"),
    ],
    "VERSION_MAX": [(Release, "version"), (Release, "canonical_version")],
    "REQUIRES_PYTHON_MAX": [(Release, "requires_python"), (File, "requires_python")],
    "LICENSE_EXPRESSION_MAX": [(Release, "license_expression")],
    "DESCRIPTION_CONTENT_TYPE_MAX": [(Release, "description_content_type")],
    "SUMMARY_MAX": [(Release, "summary")],
    "FILENAME_MAX": [(File, "filename"), (FilenameRegistry, "filename")],
    "PYVERSION_MAX": [(File, "python_version")],
}


@pytest.mark.parametrize(("limit", "columns"), COLUMNS.items(), ids=list(COLUMNS))
def test_each_upload_limit_is_its_columns_length(limit, columns):
    lengths = {f"{m.__name__}.{f}": m._meta.get_field(f).max_length for m, f in columns}
    assert lengths == dict.fromkeys(lengths, getattr(limits, limit))


def test_every_upload_limit_is_compared():
    assert {name for name in vars(limits) if name.endswith("_MAX")} == set(COLUMNS)
