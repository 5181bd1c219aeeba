"""Cached upstream files on S3 (moto's server), in process (issue 8): fetched into staging,
stored in the bucket by the pipeline, served by presigned redirect after; kept staged (and
served from staging) while S3 is down, until the sweeper stores them."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from storage.store import get_store
from upstream import pipeline, tasks
from upstream.models import CachedFile

pytestmark = [pytest.mark.stack, pytest.mark.django_db]

WHEEL = "public_dep-2.0-py3-none-any.whl"
URL = f"/files/upstream/public-dep/{WHEEL}"


@pytest.fixture
def upstream(fake_pypi, settings):
    settings.PRIVINDEX_UPSTREAM_URL = fake_pypi.url
    return fake_pypi


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_cached_file_goes_to_the_bucket_and_is_then_redirected(
    s3, bucket, upstream, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = Client().get(URL)
    assert hashlib.sha256(read(first)).hexdigest() == upstream.sha256(WHEEL)
    row = CachedFile.objects.get()
    assert row.storage_state == "stored"
    head = s3.head_object(Bucket=bucket, Key=row.storage_key)
    assert head["ContentLength"] == row.size
    again = Client().get(URL)
    assert again.status_code == 302  # presigned, short-lived: never listed in a page
    assert len(upstream.requested("public-dep", kind="file")) == 1


def test_with_s3_down_the_file_is_served_from_staging_and_found_by_the_sweeper(
    s3_down, settings, upstream, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = Client().get(URL)
    data = read(first)
    row = CachedFile.objects.get()
    assert row.storage_state == "staged"
    assert read(Client().get(URL)) == data  # from staging
    # The sweeper's query (every file staged longer than the age; any age here).
    assert pipeline.cached_files_left(older_than=-1) == [row.pk]


def test_the_store_task_stores_a_staged_file_once_s3_is_back(
    s3, settings, upstream, moto, django_capture_on_commit_callbacks
):
    good = settings.AWS_S3_ENDPOINT_URL
    settings.AWS_S3_ENDPOINT_URL = "http://127.0.0.1:9"
    get_store.cache_clear()
    with django_capture_on_commit_callbacks(execute=True):
        read(Client().get(URL))
    row = CachedFile.objects.get()
    assert row.storage_state == "staged"
    settings.AWS_S3_ENDPOINT_URL = good
    get_store.cache_clear()
    assert tasks.store_cached_file(row.pk) == "stored"
    assert get_store().sha256(row.storage_key) == upstream.sha256(WHEEL)
