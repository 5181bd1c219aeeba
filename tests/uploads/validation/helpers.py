"""Shared helpers for the upload validation tests: twine's form for a test distribution,
validated, and the message a rejected form, filename or archive produces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from tests import dists
from uploads.validation.archive import ArchiveContents, inspect_archive
from uploads.validation.errors import UploadError
from uploads.validation.filename import validate_filename
from uploads.validation.form import FormData, validate_form

SPEC = "See https://packaging.python.org/specifications/core-metadata for more information."
PEP527 = "See https://www.python.org/dev/peps/pep-0527 for more information."
ARCHIVES = "See https://docs.pypi.org/archives for more information"
WHEEL, SDIST = dists.make_wheel(), dists.make_sdist()
DIST_INFO = "example_pkg-1.0.dist-info"


def _post(fields: dict[str, Any]) -> QueryDict:
    post = QueryDict(mutable=True)
    for key, value in fields.items():
        post.setlist(key, value if isinstance(value, list) else [value])
    return post


def _files(filename: str = WHEEL[0], content: bytes = WHEEL[1], **parts: Any) -> MultiValueDict:
    content_type = parts.pop("content_type", "application/octet-stream")
    files = {"content": [SimpleUploadedFile(filename, content, content_type)]}
    files.update({key: [value] for key, value in parts.items()})
    return MultiValueDict(files)


def _form(dist: tuple[str, bytes] = WHEEL, **overrides: Any) -> FormData:
    """Validate twine's fields for ``dist`` with ``overrides`` (None removes a field)."""
    filename, content = dist
    dropped = [
        k for k in ("name", "version", "filetype") if k in overrides and overrides[k] is None
    ]
    fields = dists.upload_fields(
        filename, content, **{k: v for k, v in overrides.items() if k not in dropped}
    )
    for key in dropped:
        del fields[key]
    return validate_form(_post(fields), _files(filename, content))


def _form_error(dist: tuple[str, bytes] = WHEEL, **overrides: Any) -> str:
    with pytest.raises(UploadError) as caught:
        _form(dist, **overrides)
    assert caught.value.status == 400
    return caught.value.message


def _filename_error(filename: str, form: FormData | None = None) -> str:
    with pytest.raises(UploadError) as caught:
        validate_filename(filename, form or _form())
    return caught.value.message


def _inspect(tmp_path: Path, dist: tuple[str, bytes], *, form: FormData | None = None,
             **overrides: Any) -> ArchiveContents:  # fmt: skip
    filename, content = dist
    path = tmp_path / filename
    path.write_bytes(content)
    if form is None:
        filetype = "bdist_wheel" if filename.endswith(".whl") else "sdist"
        form = _form(
            dists.make_wheel() if filetype == "bdist_wheel" else dists.make_sdist(), **overrides
        )
    return inspect_archive(path, filename, form)


def _archive_error(tmp_path: Path, dist: tuple[str, bytes], **kwargs: Any) -> str:
    with pytest.raises(UploadError) as caught:
        _inspect(tmp_path, dist, **kwargs)
    assert caught.value.status == 400
    return caught.value.message


def _patch(content: bytes, old: bytes, new: bytes, *, count: int = 1) -> bytes:
    assert content.count(old) >= count, old
    return content.replace(old, new, count)
