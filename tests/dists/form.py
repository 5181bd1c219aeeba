"""The upload form twine sends for a distribution (S2.2-S2.4)."""

from __future__ import annotations

import hashlib
import io
import re
import tarfile
import zipfile
from typing import Any

from packaging.metadata import parse_email

# RawMetadata key -> form key, where they differ (S2.4).
_FORM_KEYS = {
    "platforms": "platform",
    "supported_platforms": "supported_platform",
    "license_files": "license_file",
    "import_names": "import_name",
    "import_namespaces": "import_namespace",
}


def upload_fields(
    filename: str,
    content: bytes,
    *,
    filetype: str | None = None,
    name: str | None = None,
    version: str | None = None,
    md5: bool = False,
    **overrides: Any,
) -> dict[str, Any]:
    """The form fields twine sends for this file, minus ``content`` (S2.2-S2.4).

    Metadata comes from the archive's METADATA / PKG-INFO (lists as lists, so the test client
    sends repeated keys); ``name`` is twine's "safe name". Digests are sha256 and blake2_256,
    plus md5 when ``md5``. An override of None removes that field.
    """
    wheel = filename.endswith(".whl")
    fields: dict[str, Any] = read_form_metadata(filename, content)
    stem = filename[:-4] if wheel else re.sub(r"\.(tar\.gz|zip)$", "", filename)
    parts = stem.split("-")
    fields.setdefault("metadata_version", "2.4")
    fields.setdefault("name", parts[0])
    fields.setdefault("version", parts[1] if len(parts) > 1 else "")
    if "name" in fields:
        fields["name"] = re.sub(r"[^A-Za-z0-9.]+", "-", fields["name"])
    fields.update(
        {
            "filetype": filetype or ("bdist_wheel" if wheel else "sdist"),
            "pyversion": parts[-3] if wheel and len(parts) >= 5 else "source",
            "sha256_digest": hashlib.sha256(content).hexdigest(),
            "blake2_256_digest": hashlib.blake2b(content, digest_size=32).hexdigest(),
            ":action": "file_upload",
            "protocol_version": "1",
        }
    )
    if md5:
        fields["md5_digest"] = hashlib.md5(content).hexdigest()
    if name is not None:
        fields["name"] = name
    if version is not None:
        fields["version"] = version
    for key, value in overrides.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return fields


def read_form_metadata(filename: str, content: bytes) -> dict[str, Any]:
    """The archive's core metadata as form fields, or {} if the archive cannot be read."""
    try:
        if filename.endswith(".whl"):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                member = next(
                    n for n in archive.namelist()
                    if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)
                )  # fmt: skip
                data = archive.read(member)
        else:
            with tarfile.open(fileobj=io.BytesIO(content), mode="r:gz") as archive:
                info = next(
                    m for m in archive.getmembers() if re.fullmatch(r"[^/]+/PKG-INFO", m.name)
                )
                extracted = archive.extractfile(info)
                assert extracted is not None
                data = extracted.read()
    except (zipfile.BadZipFile, tarfile.TarError, StopIteration, OSError, EOFError):
        return {}
    raw, _ = parse_email(data)
    fields: dict[str, Any] = {}
    for key, value in raw.items():
        form_key = _FORM_KEYS.get(key, key)
        if key == "keywords":
            fields[form_key] = ", ".join(value)  # type: ignore[arg-type]
        elif key == "project_urls":
            urls: dict[str, str] = value  # type: ignore[assignment]
            fields[form_key] = [f"{label}, {url}" for label, url in urls.items()]
        else:
            fields[form_key] = value
    return fields
