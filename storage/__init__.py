"""Where file bytes live: staging (local disk, written by uploads) and the configured store.

- ``storage.errors``: ``StoreError`` (retry later) and ``FileLost`` (no retry can help);
- ``storage.base``: the ``FileStore`` protocol; ``storage.store``: ``get_store()``;
- ``storage.local`` and ``storage.s3``: the two backends;
- ``storage.staging``: the staging directory uploads write and workers read;
- ``storage.pipeline``: staged → stored, and the checks on both;
- ``storage.scheduling``: the task names (kept from ``projects.tasks``) and ``enqueue_store``,
  which services call to schedule storing a file;
- ``storage.tasks``: the Celery tasks (an adapter: services never import it).

Keys are content-addressed (``projects.models.storage_key``); a key's bytes never change once
written, so writing a key twice is harmless and every operation here is idempotent.
"""
