"""S3FileStore against a real S3 endpoint (moto's server on a loopback port)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import urllib.request
import uuid

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from storage.errors import StoreError
from storage.s3 import S3FileStore, content_disposition, full_object_sha256
from storage.store import get_store
from tests.stack.procs import free_port
from tests.stack.stack import MULTIPART, S3_KEY, sha256

pytestmark = pytest.mark.stack

KEY = "ab/cd/ef0123/example_pkg-1.0-py3-none-any.whl"


@pytest.fixture
def bucket(moto) -> str:
    name = f"unit-{uuid.uuid4().hex[:12]}"
    moto.client().create_bucket(Bucket=name)
    return name


def make_store(moto, bucket: str, **kwargs) -> S3FileStore:
    config = TransferConfig(multipart_threshold=MULTIPART, multipart_chunksize=MULTIPART)
    return S3FileStore(moto.client(), bucket, transfer_config=config, **kwargs)


@pytest.fixture
def store(moto, bucket) -> S3FileStore:
    return make_store(moto, bucket)


def write(tmp_path, data: bytes):
    path = tmp_path / "source.bin"
    path.write_bytes(data)
    return path


def test_small_file_is_put_whole_and_verified_by_the_s3_checksum(store, tmp_path):
    data = os.urandom(4096)
    store.put(KEY, write(tmp_path, data))

    head = store.head(KEY)
    assert full_object_sha256(head) == sha256(data)  # S3's own digest of what it received
    assert store.verify(KEY, size=len(data), sha256=sha256(data)) is None
    assert store.verify(KEY, size=len(data), sha256="0" * 64, deep=False) == (
        "stored copy has the wrong sha256"
    )
    assert (store.size(KEY), store.sha256(KEY), store.exists(KEY)) == (
        len(data), sha256(data), True,
    )  # fmt: skip


def test_large_file_goes_up_in_parts_and_is_verified_by_reading_it_back(store, tmp_path):
    data = os.urandom(2 * MULTIPART + 123)
    store.put(KEY, write(tmp_path, data))

    head = store.head(KEY)
    assert head["ETag"].endswith('-3"')  # three parts
    assert full_object_sha256(head) is None  # a checksum of part checksums: not comparable
    assert store.verify(KEY, size=len(data), sha256=sha256(data)) is None
    assert store.verify(KEY, size=len(data), sha256="0" * 64) == "stored copy has the wrong sha256"
    # Without reading back, only the size can be compared.
    assert store.verify(KEY, size=len(data), sha256="0" * 64, deep=False) is None
    assert store.sha256(KEY) == sha256(data)


def test_verify_reports_a_missing_object_and_a_wrong_size(store, tmp_path):
    assert store.verify(KEY, size=1, sha256="0" * 64) == "stored copy missing"
    assert (store.size(KEY), store.sha256(KEY), store.exists(KEY)) == (None, None, False)
    store.put(KEY, write(tmp_path, b"12345"))
    assert store.verify(KEY, size=6, sha256=sha256(b"12345")) == (
        "stored copy has 5 bytes, expected 6"
    )


def test_open_streams_from_any_offset(store, tmp_path):
    data = os.urandom(3 * 1024**2 + 7)
    store.put(KEY, write(tmp_path, data))

    with store.open(KEY) as fh:
        assert fh.read() == data
    with store.open(KEY) as fh:
        fh.seek(1_000_000)
        assert fh.read(10) == data[1_000_000:1_000_010]
        assert fh.tell() == 1_000_010
        fh.seek(-5, io.SEEK_END)
        assert fh.read() == data[-5:]
        fh.seek(0)
        assert fh.read(3) == data[:3]


def test_open_and_delete_of_a_missing_object(store):
    with pytest.raises(FileNotFoundError):
        store.open(KEY)
    store.delete(KEY)  # idempotent


def test_delete_removes_the_object(store, tmp_path):
    store.put(KEY, write(tmp_path, b"data"))
    store.delete(KEY)
    assert not store.exists(KEY)


def test_an_unreachable_store_raises_store_error(tmp_path):
    client = boto3.client(
        "s3", endpoint_url=f"http://127.0.0.1:{free_port()}", region_name="us-east-1",
        aws_access_key_id=S3_KEY, aws_secret_access_key=S3_KEY,
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )  # fmt: skip
    store = S3FileStore(client, "nowhere")
    source = write(tmp_path, b"data")
    for call in (lambda: store.put(KEY, source), lambda: store.head(KEY),
                 lambda: store.open(KEY), store.ping):  # fmt: skip
        with pytest.raises(StoreError):
            call()
    assert issubclass(StoreError, OSError)  # retried by the task, served as 503 by downloads


def test_ping_fails_for_a_missing_bucket(moto):
    with pytest.raises(StoreError, match="does not exist"):
        S3FileStore(moto.client(), "no-such-bucket").ping()


def test_presigned_url_serves_the_bytes_under_the_distribution_filename(store, tmp_path):
    data = os.urandom(1000)
    store.put(KEY, write(tmp_path, data))

    url = store.presigned_url(KEY, filename="example_pkg-1.0-py3-none-any.whl", expires=60)
    assert "X-Amz-Expires=60" in url and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == data
        assert response.headers["Content-Disposition"] == (
            'attachment; filename="example_pkg-1.0-py3-none-any.whl"'
        )
    # HEAD is answered by the app, never presigned.
    assert store.presigned_url(KEY, filename="x.whl", expires=60, method="HEAD") is None


def test_a_key_prefix_places_objects_under_it(moto, bucket, tmp_path):
    store = make_store(moto, bucket, prefix="/packages/")
    store.put(KEY, write(tmp_path, b"data"))
    keys = [o["Key"] for o in moto.client().list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"packages/{KEY}"]
    assert store.verify(KEY, size=4, sha256=sha256(b"data")) is None


def test_from_settings_reads_the_aws_settings(settings, moto, bucket, tmp_path):
    settings.PRIVINDEX_STORAGE = "s3"
    settings.AWS_S3_ENDPOINT_URL = moto.url
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_ACCESS_KEY_ID = settings.AWS_SECRET_ACCESS_KEY = S3_KEY
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_LOCATION = "files"
    settings.PRIVINDEX_S3_PUBLIC_ENDPOINT_URL = "http://files.example.org:9000"
    settings.PRIVINDEX_S3_MULTIPART_THRESHOLD = 12345678
    get_store.cache_clear()

    store = get_store()

    assert isinstance(store, S3FileStore)
    assert (store.bucket, store.prefix) == (bucket, "files")
    assert store.transfer_config.multipart_threshold == 12345678
    store.put(KEY, write(tmp_path, b"data"))
    assert moto.client().head_object(Bucket=bucket, Key=f"files/{KEY}")["ContentLength"] == 4
    url = store.presigned_url(KEY, filename="a.whl", expires=60)
    assert url.startswith(f"http://files.example.org:9000/{bucket}/files/{KEY}?")


def test_s3_storage_needs_a_bucket_name(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.PRIVINDEX_STORAGE = "s3"
    settings.AWS_STORAGE_BUCKET_NAME = ""
    get_store.cache_clear()
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        get_store()


def _b64(hexdigest: str) -> str:
    return base64.b64encode(bytes.fromhex(hexdigest)).decode()


DIGEST = hashlib.sha256(b"x").hexdigest()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ({"ChecksumSHA256": _b64(DIGEST), "ChecksumType": "FULL_OBJECT", "ETag": '"a-2"'}, DIGEST),
        ({"ChecksumSHA256": _b64(DIGEST), "ETag": '"abc"'}, DIGEST),
        ({"ChecksumSHA256": _b64(DIGEST), "ChecksumType": "COMPOSITE", "ETag": '"abc"'}, None),
        ({"ChecksumSHA256": _b64(DIGEST) + "-3", "ETag": '"abc-3"'}, None),
        ({"ChecksumSHA256": _b64(DIGEST), "ETag": '"abc-3"'}, None),
        ({"ETag": '"abc"'}, None),
    ],
)
def test_only_a_whole_object_checksum_is_trusted(head, expected):
    assert full_object_sha256(head) == expected


def test_content_disposition_quotes_the_filename():
    assert content_disposition('a"b.whl') == 'attachment; filename="a\\"b.whl"'
