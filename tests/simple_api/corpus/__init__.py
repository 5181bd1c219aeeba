"""The bad-input corpus that ``tests/simple_api/test_upload_corpus.py`` POSTs: how requests
are built (``build``), hostile archives not in ``tests/dists`` (``archives``), and the cases
(``form_cases``: the request, the form and the upload rules up to S3.18; ``archive_cases``:
the archive and what it holds, S3.19-S3.22, and hostile form data)."""
