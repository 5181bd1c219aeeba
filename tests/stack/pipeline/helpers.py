"""Helpers for the storage pipeline stack tests."""

from __future__ import annotations

import os

from projects.models import File
from tests import factories
from tests.simple_api.helpers import file_with_bytes


def staged_file(project=None, content: bytes | None = None) -> File:
    release = factories.ReleaseFactory(project=project or factories.ProjectFactory())
    return file_with_bytes(release, content or os.urandom(2000), staged=True)
