"""Everything an upload is checked against before it becomes a file in a release.

- ``uploads.handler``: the streaming upload handler (the body goes to disk, hashed as it
  arrives, capped while it streams);
- ``uploads.validation``: the form, the filename, the archive and its core metadata (S3.x).

The endpoint (``simple_api.upload``) adapts; ``projects.services.uploads`` records.
"""
