"""Uploading through the /legacy/ endpoint as twine does, and what an upload leaves behind."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import CoreMetadata, File, FilenameRegistry, Project, Release
from tests import dists
from tests.simple_api.helpers import basic


def post(client, filename, content, token, **field_overrides):
    """Upload as twine does, running on-commit work (the in-process store task)."""
    from django.test import TestCase

    fields = dists.upload_fields(filename, content, **field_overrides)
    fields["content"] = SimpleUploadedFile(filename, content, "application/octet-stream")
    headers = basic(token) if token else {}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/legacy/", fields, **headers)


def snapshot(settings):
    """Everything an upload could leave behind: rows and bytes."""

    def files_under(root):
        return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())

    return {
        "projects": Project.objects.count(),
        "releases": Release.objects.count(),
        "files": File.objects.count(),
        "registry": FilenameRegistry.objects.count(),
        "metadata": CoreMetadata.objects.count(),
        "staging": files_under(settings.PRIVINDEX_STAGING_DIR),
        "store": files_under(settings.PRIVINDEX_FILES_DIR),
    }
