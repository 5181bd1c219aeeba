"""Fixtures for the storage pipeline on S3 (moto's server), in process: a fresh bucket,
the store pointed at it, or pointed at a port where nothing listens (DESIGN 6)."""

from __future__ import annotations

import uuid

import pytest

from storage.store import get_store
from tests.stack.procs import free_port
from tests.stack.stack import S3_KEY


@pytest.fixture
def bucket(moto) -> str:
    name = f"unit-{uuid.uuid4().hex[:12]}"
    moto.client().create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3(settings, moto, bucket):
    """PRIVINDEX_STORAGE=s3 on moto; returns a boto3 client for looking into the bucket."""
    settings.PRIVINDEX_STORAGE = "s3"
    settings.AWS_S3_ENDPOINT_URL = moto.url
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_ACCESS_KEY_ID = settings.AWS_SECRET_ACCESS_KEY = S3_KEY
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.PRIVINDEX_S3_CONNECT_TIMEOUT = 1
    get_store.cache_clear()
    yield moto.client()
    get_store.cache_clear()


@pytest.fixture
def s3_down(settings, s3):
    settings.AWS_S3_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    get_store.cache_clear()
