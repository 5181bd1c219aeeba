"""Upload validation (standards S3.2-S3.5, S3.9-S3.11, S3.19-S3.22): pure functions, no database.

The upload endpoint calls, in order, :func:`validate_form` (the multipart form and its core
metadata), :func:`validate_filename` (the distribution's name against the form) and, once the
bytes are on disk, :func:`inspect_archive` (the archive itself and the metadata inside it).
Each raises :class:`UploadError` carrying the status and the message for the reason phrase.
"""

from uploads.validation.archive import ArchiveContents, inspect_archive
from uploads.validation.errors import UploadError
from uploads.validation.filename import validate_filename
from uploads.validation.form import FormData, validate_form
from uploads.validation.metadata import PRIVATE_CLASSIFIER

__all__ = [
    "PRIVATE_CLASSIFIER",
    "ArchiveContents",
    "FormData",
    "UploadError",
    "inspect_archive",
    "validate_filename",
    "validate_form",
]
