"""Where file bytes live: staging (local disk, written by uploads) and the configured store.

- ``storage.errors``: ``StoreError`` (retry later) and ``FileLost`` (no retry can help);
- ``storage.base``: the ``FileStore`` protocol and ``get_store()``;
- ``storage.local`` and ``storage.s3``: the two backends;
- ``storage.staging``: the staging directory uploads write and workers read;
- ``storage.pipeline``: staged → stored, and the checks on both;
- ``storage.tasks``: the Celery tasks (names kept from ``projects.tasks``).

Keys are content-addressed (``projects.models.storage_key``); a key's bytes never change once
written, so writing a key twice is harmless and every operation here is idempotent.
"""
