"""Recording an upload (``projects.services.uploads``): edge cases not reachable through the
endpoint's normal flow."""

from projects.services import uploads as upload_services
from storage import staging as storage
from tests import factories


def test_failed_upload_keeps_staged_bytes_that_a_committed_row_needs(db, settings):
    """A COMMIT that fails on the wire may have committed, and identical concurrent uploads
    share a staging path: the staged copy goes only when no row refers to it."""
    file = factories.FileFactory(storage_state="staged")
    path = storage.staging_path(file.storage_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"bytes")
    upload_services._unstage_unless_committed(file.storage_key, file.filename)
    assert path.exists()
    file.delete()
    upload_services._unstage_unless_committed(file.storage_key, file.filename)
    assert not path.exists()
