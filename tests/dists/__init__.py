"""Distribution builders for every upload test: valid wheels and sdists, and hostile archives.

Builds are deterministic (fixed timestamps, gzip mtime 0), so building the same thing twice
gives the same bytes. Wheels install with pip and uv; sdists build offline with
``pip wheel --no-deps --no-build-isolation`` using the environment's setuptools.

The builders live in ``build`` (valid wheels and sdists), ``form`` (the fields twine sends)
and ``hostile`` (archives that break a rule); import them from here: ``from tests import dists``.
"""

from tests.dists.build import (
    BOMB_SIZE,
    SUMMARY,
    TAR_MTIME,
    ZIP_DATE,
    Content,
    Zeros,
    dist_name,
    make_sdist,
    make_wheel,
    metadata_text,
)
from tests.dists.form import read_form_metadata, upload_fields
from tests.dists.hostile import (
    absolute_member_sdist,
    absolute_member_wheel,
    link_sdist,
    sdist_for_other_project,
    sdist_with_member,
    tar_bomb_sdist,
    traversal_sdist,
    traversal_wheel,
    truncated,
    wheel_for_other_project,
    wheel_with_member,
    zip_bomb_wheel,
)

__all__ = [
    "BOMB_SIZE",
    "SUMMARY",
    "TAR_MTIME",
    "ZIP_DATE",
    "Content",
    "Zeros",
    "absolute_member_sdist",
    "absolute_member_wheel",
    "dist_name",
    "link_sdist",
    "make_sdist",
    "make_wheel",
    "metadata_text",
    "read_form_metadata",
    "sdist_for_other_project",
    "sdist_with_member",
    "tar_bomb_sdist",
    "traversal_sdist",
    "traversal_wheel",
    "truncated",
    "upload_fields",
    "wheel_for_other_project",
    "wheel_with_member",
    "zip_bomb_wheel",
]
