"""Helpers for simple API and download tests."""

import base64
import hashlib

from storage.staging import staging_path
from storage.store import get_store
from tests import factories


def basic(token: str, user: str = "__token__") -> dict:
    raw = f"{user}:{token}".encode()
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(raw).decode()}


def file_with_bytes(release, content: bytes, *, staged: bool = False, **kwargs):
    """A File row whose bytes really are in the store (or staging)."""
    sha256 = hashlib.sha256(content).hexdigest()
    blake = hashlib.blake2b(content, digest_size=32).hexdigest()
    file = factories.FileFactory(
        release=release,
        size=len(content),
        sha256=sha256,
        blake2_256=blake,
        md5=hashlib.md5(content).hexdigest(),
        storage_state="staged" if staged else "stored",
        **kwargs,
    )
    if staged:
        path = staging_path(file.storage_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    else:
        store = get_store()
        target = store.path(file.storage_key)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return file


def file_url(file) -> str:
    return f"/files/{file.storage_key}"
