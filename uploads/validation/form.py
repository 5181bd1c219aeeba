"""The upload form as twine, poetry and pdm send it (S2.2-S2.4, S3.2-S3.5, S3.9, S3.11)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, cast

import readme_renderer.markdown
import readme_renderer.rst
import readme_renderer.txt
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from packaging.metadata import Metadata, RawMetadata
from packaging.utils import canonicalize_version

from uploads import limits
from uploads.validation.errors import UploadError, with_link
from uploads.validation.metadata import CORE_METADATA_LINK, validate_metadata

# Form key -> packaging RawMetadata key (S2.4). Three multi-use fields keep a singular name.
STRING_FIELDS = {
    key: key
    for key in (
        "metadata_version", "name", "version", "summary", "description",
        "description_content_type", "home_page", "download_url", "author", "author_email",
        "maintainer", "maintainer_email", "license", "license_expression", "requires_python",
    )
}  # fmt: skip
LIST_FIELDS = {
    **{
        key: key
        for key in (
            "classifiers", "requires_dist", "provides_dist", "obsoletes_dist",
            "requires_external", "provides_extra", "dynamic", "requires", "provides", "obsoletes",
        )
    },
    "platform": "platforms",
    "supported_platform": "supported_platforms",
    "license_file": "license_files",
    "import_name": "import_names",
    "import_namespace": "import_namespaces",
}  # fmt: skip
FILE_FIELDS = ("content", "gpg_signature")
DIGEST_FIELDS = {"md5_digest": "md5", "sha256_digest": "sha256", "blake2_256_digest": "blake2_256"}
# Form fields that are not core metadata but still take one value.
_SINGLE_FORM_FIELDS = ("filetype", "pyversion", "comment", "protocol_version", *DIGEST_FIELDS)

NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_HEX64 = re.compile(r"^[A-F0-9]{64}$", re.IGNORECASE)
_RENDERERS: dict[str, Any] = {
    "text/plain": readme_renderer.txt,
    "text/x-rst": readme_renderer.rst,
    "text/markdown": readme_renderer.markdown,
}


@dataclass
class FormData:
    """A validated upload form: what the view, the filename check and the archive check use."""

    filetype: str
    pyversion: str
    name: str
    version: str
    metadata: Metadata
    digests: dict[str, str]
    comment: str
    classifiers: list[str]
    requires_python: str
    release_fields: dict[str, Any] = field(default_factory=dict)


def validate_form(post: QueryDict, files: MultiValueDict) -> FormData:
    """Validate the multipart upload form and its core metadata; return the parsed form.

    In Warehouse's order: S3.2 sanitizing (UNKNOWN and empty values dropped, NUL escaped),
    S3.3 ``protocol_version``, S3.2 a non-file field sent as a file part, S3.4 form rules
    (name, digests, filetype, pyversion; the first by priority), S3.5 metadata rules (local
    versions only when ``settings.PRIVINDEX_ALLOW_LOCAL_VERSIONS``), the content part (S3.11:
    present, once, with a non-image Content-Type) and S3.9 description rendering. A
    single-value field sent twice is "'<key>' has invalid data" (S2.4); ``attestations`` are
    refused (S3.23: this index cannot verify them). Raises
    UploadError(400) with Warehouse's message.
    """
    values = _sanitize(post)
    if _single(values, "protocol_version", default="1") != "1":
        raise UploadError("Unknown protocol version.")
    for key in files:
        if key not in FILE_FIELDS:
            raise UploadError(f"{key}: Should not be a tuple.")
    name, filetype, pyversion, digests = _check_form(values)
    metadata = _form_metadata(values)
    if "attestations" in values:
        # S3.23: never publish provenance that was not verified; we cannot verify it.
        raise UploadError(
            "Invalid attestations supplied during upload: Attestations are only supported "
            "when using Trusted Publishing"
        )
    content = files.get("content")
    if content is None:
        raise UploadError("Upload payload does not have a file.")
    if len(files.getlist("content")) > 1:  # which one would the digests describe?
        raise UploadError("Upload payload has more than one file.")
    # S3.11 refuses images. A part without a Content-Type (uv publish sends none) is
    # text/plain by RFC 7578 section 4.4, not an invalid file: the archive checks judge it.
    content_type = (getattr(content, "content_type", None) or "").strip().lower()
    if content_type.startswith("image/"):
        raise UploadError("Invalid distribution file.")
    description_html = render_description(metadata)
    requires_python = (values.get("requires_python") or [""])[0].strip()
    version = values["version"][0].strip()
    _check_lengths(
        name=name,
        version=version,
        pyversion=pyversion,
        requires_python=requires_python,
        license_expression=metadata.license_expression or "",
        description_content_type=metadata.description_content_type or "",
    )
    # The release stores the canonical form too, which can be the longer ("1-1" is "1.post1").
    if len(canonicalize_version(version)) > limits.VERSION_MAX:
        raise UploadError(
            f"'version' is too long: normalized, it has more than {limits.VERSION_MAX} characters."
        )
    return FormData(
        filetype=filetype,
        pyversion=pyversion,
        name=name,
        version=version,
        metadata=metadata,
        digests=digests,
        comment=(values.get("comment") or [""])[0],
        classifiers=list(metadata.classifiers or []),
        requires_python=requires_python,
        release_fields=_release_fields(metadata, values, description_html, requires_python),
    )


# What the database holds (``uploads.limits``); a longer value is refused here, not by a
# failing INSERT.
MAX_LENGTHS = {
    "name": limits.NAME_MAX,
    "version": limits.VERSION_MAX,
    "pyversion": limits.PYVERSION_MAX,
    "requires_python": limits.REQUIRES_PYTHON_MAX,
    "license_expression": limits.LICENSE_EXPRESSION_MAX,
    "description_content_type": limits.DESCRIPTION_CONTENT_TYPE_MAX,
}


def _check_lengths(**fields: str) -> None:
    for key, value in fields.items():
        limit = MAX_LENGTHS[key]
        if len(value) > limit:
            raise UploadError(f"'{key}' is too long: at most {limit} characters are allowed.")


def render_description(metadata: Metadata) -> str:
    """Render the Description to safe HTML with readme_renderer (S3.9); "" when absent.

    reStructuredText is the default. Raises UploadError(400) when it does not render.
    """
    if not metadata.description:
        return ""
    content_type = metadata.description_content_type or "text/x-rst"
    header = Message()
    header["content-type"] = content_type
    mimetype = header.get_content_type()
    header_params = header.get_params()
    params = {k: v for k, v in header_params[1:]} if header_params else {}
    renderer = _RENDERERS.get(mimetype, readme_renderer.txt)
    rendered = renderer.render(metadata.description, **params)
    if rendered is None:
        if metadata.description_content_type:
            raise UploadError(f"The description failed to render for '{content_type}'.")
        raise UploadError(
            "The description failed to render in the default format of reStructuredText."
        )
    return f"<pre>{rendered}</pre>" if mimetype == "text/plain" else rendered


# Marks bytes that were not UTF-8 (see uploads.handler); a noncharacter, so no
# legitimate metadata contains it.
UNDECODABLE = "\ufdd0"


def _sanitize(post: QueryDict) -> dict[str, list[str]]:
    """S3.2 and S2.4: drop UNKNOWN and empty values, escape NUL; refuse fields that were not
    UTF-8 rather than store them altered."""
    values: dict[str, list[str]] = {}
    for key in post:
        if any(isinstance(v, str) and UNDECODABLE in v for v in post.getlist(key)):
            raise UploadError(f"'{key}' is not valid UTF-8.")
        kept = [
            value.replace("\x00", "\\x00")
            for value in post.getlist(key)
            if isinstance(value, str) and value.strip() and value.strip() != "UNKNOWN"
        ]
        if kept:
            values[key] = kept
    return values


def _single(values: dict[str, list[str]], key: str, default: str = "") -> str:
    found = values.get(key)
    if not found:
        return default
    if len(found) > 1:
        raise UploadError(with_link(f"{key!r} has invalid data", CORE_METADATA_LINK))
    return found[0]


def _check_form(values: dict[str, list[str]]) -> tuple[str, str, str, dict[str, str]]:
    """S3.4: the first failing field in priority order (name, then alphabetical), then the
    whole-form rules."""
    errors: dict[str, str] = {}
    for key in ("name", *_SINGLE_FORM_FIELDS):
        if len(values.get(key, ())) > 1:
            raise UploadError(with_link(f"{key!r} has invalid data", CORE_METADATA_LINK))
    name = _single(values, "name")
    if not name:
        errors["name"] = "This field is required."
    elif not NAME_RE.match(name):
        errors["name"] = (
            "Start and end with a letter or numeral containing only ASCII numeric and "
            "'.', '_' and '-'."
        )
    filetype = _single(values, "filetype")
    if not filetype:
        errors["filetype"] = "This field is required."
    elif filetype not in ("sdist", "bdist_wheel"):
        errors["filetype"] = "Use a known file type."
    for key, label in (("sha256_digest", "SHA256"), ("blake2_256_digest", "BLAKE2")):
        digest = _single(values, key)
        if digest and not _HEX64.match(digest):
            errors[key] = f"Use a valid, hex-encoded, {label} message digest."
    if errors:
        key = "name" if "name" in errors else min(errors)
        if key == "name":
            shown = name if len(name) <= 60 else f"{name[:30]}...{name[-30:]}"
            raise UploadError(
                with_link(
                    f"{shown!r} is an invalid value for Name. Error: {errors[key]}",
                    CORE_METADATA_LINK,
                )
            )
        raise UploadError(f"Invalid value for {key}. Error: {errors[key]}")

    pyversion = _single(values, "pyversion")
    if filetype != "sdist" and not pyversion:
        raise UploadError("Error: Python version is required for binary distribution uploads.")
    if filetype == "sdist":
        if not pyversion:
            pyversion = "source"
        elif pyversion != "source":
            raise UploadError("Error: Use 'source' as Python version for an sdist.")
    digests = {
        algorithm: _single(values, key).lower()
        for key, algorithm in DIGEST_FIELDS.items()
        if _single(values, key)
    }
    if not digests:
        raise UploadError("Error: Include at least one message digest.")
    return name, filetype, pyversion, digests


def _form_metadata(values: dict[str, list[str]]) -> Metadata:
    """Build RawMetadata from the form (S2.4) and validate it (S3.5)."""
    raw: dict[str, Any] = {}
    unparsed: list[str] = []
    for key, found in values.items():
        if key in STRING_FIELDS:
            if len(found) == 1:
                raw[STRING_FIELDS[key]] = found[0]
            else:
                unparsed.append(key)
        elif key in LIST_FIELDS:
            raw[LIST_FIELDS[key]] = found
        elif key == "keywords":
            if len(found) == 1:
                raw["keywords"] = [k.strip() for k in found[0].split(",")]
            else:
                unparsed.append(key)
        elif key == "project_urls":
            urls: dict[str, str] = {}
            for pair in found:
                label, _, url = (part.strip() for part in pair.partition(","))
                if label in urls:
                    unparsed.append(key)
                    break
                urls[label] = url
            else:
                raw["project_urls"] = urls
    return validate_metadata(cast(RawMetadata, raw), unparsed=unparsed)


def _release_fields(
    metadata: Metadata, values: dict[str, list[str]], description_html: str, requires_python: str
) -> dict[str, Any]:
    """Keyword arguments for ``projects.models.Release``."""

    def text(key: str) -> str:
        return (values.get(key) or [""])[0]

    return {
        "summary": metadata.summary or "",
        "description": metadata.description or "",
        "description_content_type": metadata.description_content_type or "",
        "description_html": description_html,
        "author": metadata.author or "",
        "author_email": metadata.author_email or "",
        "maintainer": metadata.maintainer or "",
        "maintainer_email": metadata.maintainer_email or "",
        "license": metadata.license or "",
        "license_expression": str(metadata.license_expression or ""),
        "keywords": text("keywords").strip(),
        "home_page": metadata.home_page or "",
        "download_url": metadata.download_url or "",
        "classifiers": list(metadata.classifiers or []),
        "requires_dist": [str(r) for r in metadata.requires_dist or []],
        "provides_extra": [str(e) for e in metadata.provides_extra or []],
        "project_urls": dict(metadata.project_urls or {}),
        "requires_python": requires_python,
    }
