"""Core-metadata rules (S3.5), for the upload form and for the METADATA/PKG-INFO in archives.

``packaging.metadata`` does the standard validation; PyPI's own rules are layered on top, as
Warehouse does, and the first error by field priority becomes the message (S3.4).
"""

from __future__ import annotations

import email.utils
import ipaddress
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import cast

import email_validator
import trove_classifiers
from django.conf import settings
from packaging.metadata import InvalidMetadata, Metadata, RawMetadata, parse_email
from packaging.requirements import InvalidRequirement, Requirement

from uploads import limits
from uploads.validation.errors import UploadError, with_link

CORE_METADATA_LINK = "https://packaging.python.org/specifications/core-metadata"
LOCAL_VERSION_LINK = (
    "https://packaging.python.org/specifications/version-specifiers/#local-version-identifiers"
)
# S3.5.1: packaging also knows 2.6 (PEP 808), which Warehouse does not accept yet.
SUPPORTED_METADATA_VERSIONS = ("1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5")
# PyPI refuses every "Private ::" classifier, which is what makes them useful here: a private
# project can carry one and never be published to PyPI by mistake.
PRIVATE_CLASSIFIER = "Private :: Do Not Upload"
PRIVATE_CLASSIFIER_PREFIX = "Private :: "
PROJECT_URL_LABEL_MAX_LENGTH = 32

# S3.5.14: the fields Warehouse lets a distribution declare Dynamic (lowercased, as packaging
# normalizes them).
DYNAMIC_FIELDS = frozenset(
    {
        "platform", "supported-platform", "summary", "description",
        "description-content-type", "keywords", "home-page", "download-url", "author",
        "author-email", "maintainer", "maintainer-email", "license", "license-expression",
        "license-file", "classifier", "requires-dist", "requires-python", "requires-external",
        "project-url", "provides-extra", "provides-dist", "obsoletes-dist", "requires",
        "provides", "obsoletes", "import-name", "import-namespace",
    }
)  # fmt: skip
_NEVER_DYNAMIC = frozenset({"name", "version", "metadata-version"})
EMAIL_FIELDS = DYNAMIC_FIELDS | _NEVER_DYNAMIC | {"dynamic"}
_PRIORITY = ("metadata-version", "name", "version")

_classifiers = frozenset(trove_classifiers.all_classifiers)
_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f<>\"{}|\\^`]")
_REG_NAME = re.compile(r"^[A-Za-z0-9\-._~%!$&'()*+,;=]+$")


class _LinkedInvalid(InvalidMetadata):
    """An error whose message points somewhere other than the core-metadata spec."""

    def __init__(self, field: str, message: str, link: str) -> None:
        super().__init__(field, message)
        self.link = link


def validate_metadata(
    raw: RawMetadata, *, unparsed: Iterable[str] = (), prefix: str = ""
) -> Metadata:
    """Apply S3.5 rules 1-17 to raw core metadata and return the validated ``Metadata``.

    ``unparsed`` names the keys that could not be read (S3.5.17, "'<key>' has invalid data").
    Raises UploadError(400) for the first error, in S3.4 priority order (Metadata-Version, Name,
    Version, then alphabetical by field), worded as Warehouse words it and followed by the
    spec link; ``prefix`` is put in front of the message.
    """
    errors: list[InvalidMetadata] = [
        InvalidMetadata(key, f"{key!r} has invalid data") for key in unparsed
    ]
    errors.extend(_check_raw(raw))
    metadata: Metadata | None = None
    try:
        metadata = Metadata.from_raw(raw, validate=True)
    except ExceptionGroup as group:
        errors.extend(_flatten(group))
    if metadata is not None:
        errors.extend(_check_pypi_rules(metadata))
    if errors:
        raise UploadError(prefix + _message(_first(errors)))
    return cast(Metadata, metadata)


def parse_metadata_file(data: bytes, *, member: str) -> Metadata:
    """Parse a METADATA or PKG-INFO file and validate it with the S3.5 rules (S3.22).

    Unknown headers are ignored, as installers ignore them; known fields that cannot be read
    are errors. The same sanitizing as the form's (S3.2) applies. Raises UploadError whose
    message starts "Invalid distribution file. <member>: ".
    """
    raw, unparsed = parse_email(data)
    return validate_metadata(
        cast(RawMetadata, sanitize_raw(dict(raw))),
        unparsed=[key for key in unparsed if key in EMAIL_FIELDS],
        prefix=f"Invalid distribution file. {member}: ",
    )


def sanitize_raw(raw: dict[str, object]) -> dict[str, object]:
    """S3.2: drop "UNKNOWN" values (an old distutils default) and escape NUL characters."""
    clean: dict[str, object] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if value.strip() == "UNKNOWN":
                continue
            clean[key] = value.replace("\x00", "\\x00")
        elif isinstance(value, list):
            items = [v.replace("\x00", "\\x00") for v in value if v.strip() != "UNKNOWN"]
            if items or not value:
                clean[key] = items
        elif isinstance(value, dict):
            clean[key] = {
                k.replace("\x00", "\\x00"): v.replace("\x00", "\\x00") for k, v in value.items()
            }
        else:
            clean[key] = value
    return clean


def is_valid_url(url: str) -> bool:
    """An http(s) URI, with or without an authority (Warehouse's ``is_valid_uri``)."""
    if not url or _URL_FORBIDDEN.search(url):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    if parts.scheme.lower() not in {"http", "https"}:
        return False
    if parts.netloc:
        host = parts.hostname or ""
        if host.startswith("[") or ":" in host:
            try:
                ipaddress.IPv6Address(host.strip("[]"))
            except ValueError:
                return False
        elif not _REG_NAME.match(host):
            return False
    return True


def is_allowed_classifier(classifier: str) -> bool:
    """A trove classifier (deprecated ones included) or a private one."""
    return classifier in _classifiers or classifier.startswith(PRIVATE_CLASSIFIER_PREFIX)


def _check_raw(raw: Mapping[str, object]) -> list[InvalidMetadata]:
    errors = []
    version = raw.get("metadata_version")
    if not version:
        errors.append(InvalidMetadata("metadata-version", "'metadata-version' is a required field"))
    elif version not in SUPPORTED_METADATA_VERSIONS:
        errors.append(
            InvalidMetadata("metadata-version", f"{version!r} is not a valid metadata version")
        )
    for value in cast(list[str], raw.get("dynamic") or []):
        field = value.lower()
        if field not in DYNAMIC_FIELDS and field not in _NEVER_DYNAMIC:
            errors.append(
                InvalidMetadata("dynamic", f"Dynamic field {value!r} is not a valid dynamic field.")
            )
    return errors


def _check_pypi_rules(metadata: Metadata) -> list[InvalidMetadata]:
    errors: list[InvalidMetadata] = []
    if metadata.version.local and not getattr(settings, "PRIVINDEX_ALLOW_LOCAL_VERSIONS", False):
        errors.append(
            _LinkedInvalid(
                "version",
                f"The use of local versions in '{metadata.version}' is not allowed.",
                LOCAL_VERSION_LINK,
            )
        )
    if metadata.summary is not None and len(metadata.summary) > limits.SUMMARY_MAX:
        errors.append(
            InvalidMetadata(
                "summary", f"'summary' field must be {limits.SUMMARY_MAX} characters or less."
            )
        )
    for field, value in (
        ("author-email", metadata.author_email),
        ("maintainer-email", metadata.maintainer_email),
    ):
        if not value:
            continue
        # Every address is checked, not only the first as Warehouse does; a value with an "@"
        # that yields no address at all is checked whole rather than waved through.
        for _, address in email.utils.getaddresses([value]):
            candidate = address or (value.strip() if "@" in value else "")
            if not candidate:
                continue
            try:
                email_validator.validate_email(candidate, check_deliverability=False)
            except email_validator.EmailNotValidError as exc:
                errors.append(
                    InvalidMetadata(field, f"{candidate!r} is not a valid email address: {exc}")
                )
                break
    classifiers = set(metadata.classifiers or [])
    for classifier in sorted(c for c in classifiers if not is_allowed_classifier(c)):
        errors.append(InvalidMetadata("classifier", f"{classifier!r} is not a valid classifier."))
    for classifier in sorted(classifiers & trove_classifiers.deprecated_classifiers.keys()):
        replacements = trove_classifiers.deprecated_classifiers[classifier]
        instead = f", use one of {replacements} instead" if replacements else ""
        errors.append(
            InvalidMetadata(
                "classifier", f"The classifier {classifier!r} has been deprecated{instead}."
            )
        )
    for field, url in (("home-page", metadata.home_page), ("download-url", metadata.download_url)):
        if url is not None and not is_valid_url(url):
            errors.append(InvalidMetadata(field, f"{url!r} is not a valid url."))
    for label, url in (metadata.project_urls or {}).items():
        if not label:
            errors.append(InvalidMetadata("project-url", "Must have a label"))
        elif len(label) > PROJECT_URL_LABEL_MAX_LENGTH:
            errors.append(
                InvalidMetadata(
                    "project-url",
                    f"{label!r} must be {PROJECT_URL_LABEL_MAX_LENGTH} characters or less.",
                )
            )
        elif not url:
            errors.append(InvalidMetadata("project-url", "Must have a URL"))
        elif not is_valid_url(url):
            errors.append(InvalidMetadata("project-url", f"{url!r} is not a valid url"))
    for field, values in (
        ("provides-dist", metadata.provides_dist),
        ("obsoletes-dist", metadata.obsoletes_dist),
    ):
        for text in values or []:
            try:
                requirement = Requirement(text)
            except InvalidRequirement as exc:
                errors.append(InvalidMetadata(field, f"{text!r} is invalid: {exc}"))
            else:
                if requirement.url is not None:
                    errors.append(InvalidMetadata(field, f"Can't have direct dependency: {text!r}"))
    for requirement in metadata.requires_dist or []:
        if requirement.url is not None:
            errors.append(
                InvalidMetadata("requires-dist", f"Can't have direct dependency: {requirement}")
            )
    if metadata.license is not None and metadata.license_expression is not None:
        errors.append(
            InvalidMetadata(
                "license",
                "License is deprecated when License-Expression is present. "
                "Only License-Expression should be present.",
            )
        )
    return errors


def _flatten(group: BaseExceptionGroup) -> list[InvalidMetadata]:
    found: list[InvalidMetadata] = []
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            found.extend(_flatten(exc))
        elif isinstance(exc, InvalidMetadata):
            found.append(exc)
        else:
            found.append(InvalidMetadata("metadata", str(exc)))
    return found


def _first(errors: list[InvalidMetadata]) -> InvalidMetadata:
    def rank(error: InvalidMetadata) -> tuple[int, str]:
        field = error.field.lower().replace("_", "-")
        return (_PRIORITY.index(field), "") if field in _PRIORITY else (len(_PRIORITY), field)

    return min(errors, key=rank)  # min is stable: the first error of the first field wins


def _message(error: InvalidMetadata) -> str:
    link = error.link if isinstance(error, _LinkedInvalid) else CORE_METADATA_LINK
    return with_link(str(error), link)
