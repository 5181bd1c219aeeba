"""The production stack end to end: gunicorn, a Celery worker and beat on PostgreSQL, Redis
and an S3 endpoint, driven by twine and pip (DESIGN 6)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import redis as redis_lib

from tests.dists import make_wheel
from tests.stack.procs import ENTRYPOINT, run
from tests.stack.stack import sha256

pytestmark = pytest.mark.stack


def test_twine_upload_is_stored_in_s3_and_pip_downloads_it_through_a_presigned_redirect(
    stack, tmp_path
):
    stack.start()
    filename, content = make_wheel("stack-demo", "1.0")

    stack.twine_upload((filename, content))
    stack.wait_stored([filename], timeout=30)

    path = stack.file_path(filename)
    # HEAD is answered by the app, from the database: no redirect, no S3 round trip.
    status, headers, body = stack.request("HEAD", path)
    assert status == 200, (status, body)
    assert headers["content-length"] == str(len(content))
    assert headers["accept-ranges"] == "bytes"
    assert headers["etag"] == f'"{sha256(content)}"'
    assert "location" not in headers
    # GET: 302 to a short-lived presigned URL naming the file (S5.8).
    status, headers, _ = stack.request("GET", path)
    assert status == 302
    location = headers["location"]
    assert location.startswith(f"{stack.moto.url}/{stack.bucket}/")
    assert "X-Amz-Signature=" in location
    assert "X-Amz-Expires=300" in location  # a private project: minutes
    assert f"filename%3D%22{filename}%22" in location
    assert headers["cache-control"] == "private, no-store"
    # The index lists the stable app URL, never a presigned one.
    status, _, page = stack.request("GET", "/simple/stack-demo/")
    assert status == 200 and path.encode() in page and b"X-Amz" not in page

    downloaded = stack.pip_download("stack-demo==1.0", tmp_path / "pip")
    assert downloaded.name == filename
    assert sha256(downloaded.read_bytes()) == sha256(content)
    stack.assert_every_file_stored_once({filename: content})


def test_healthz_reports_database_broker_and_storage(stack):
    stack.start(beat=False)

    def health():
        status, _, body = stack.request("GET", "/healthz", auth=False)
        return status, json.loads(body)

    assert health() == (200, {"status": "ok", "checks": {
        "database": "ok", "staging": "ok", "broker": "ok", "storage": "ok"}})  # fmt: skip

    stack.redis.stop()
    status, report = health()
    assert (status, report["status"]) == (200, "degraded")  # uploads still work: stay in service
    assert report["checks"]["broker"].startswith("error:")
    assert report["checks"]["storage"] == "ok"
    stack.redis.start()

    stack.moto.stop()
    status, report = health()
    assert (status, report["status"]) == (200, "degraded")
    assert report["checks"]["storage"].startswith("error:")
    assert report["checks"]["broker"] == "ok"
    stack.moto.start()
    stack.create_bucket()
    assert health()[0] == 200 and health()[1]["status"] == "ok"


def test_checkstorage_reports_a_missing_or_damaged_stored_copy(stack):
    stack.start()
    wheels = [make_wheel("check-demo", version) for version in ("1.0", "2.0", "3.0")]
    stack.twine_upload(*wheels)
    stack.wait_stored([name for name, _ in wheels], timeout=30)
    command = ["sh", str(ENTRYPOINT), "manage", "checkstorage"]

    clean = run(command, env=stack.env)
    assert "Checked 3 file(s): 3 stored, 0 staged; 0 problem(s)." in clean.stdout
    assert "checking files [" in clean.stderr and "3/3 100%" in clean.stderr

    files = stack.files()
    client = stack.moto.client()
    client.delete_object(Bucket=stack.bucket, Key=files[wheels[0][0]]["key"])
    client.put_object(Bucket=stack.bucket, Key=files[wheels[1][0]]["key"], Body=b"rot")
    same_size = b"x" * len(wheels[2][1])
    client.put_object(Bucket=stack.bucket, Key=files[wheels[2][0]]["key"], Body=same_size)

    broken = run(command, env=stack.env, check=False)
    assert broken.returncode == 1
    assert f"PROBLEM {wheels[0][0]}: stored copy missing" in broken.stdout
    assert f"PROBLEM {wheels[1][0]}: stored copy has 3 bytes" in broken.stdout
    assert f"PROBLEM {wheels[2][0]}: stored copy has the wrong sha256" in broken.stdout
    assert "3 problem(s)." in broken.stdout


def test_sign_in_throttling_is_counted_in_redis_for_every_web_process(stack):
    """Two gunicorn workers share one count (PRIVINDEX_CACHE_URL): past 5 wrong passwords the
    right one is refused too, whichever process answers."""
    stack.start(beat=False)
    set_password = (
        "from accounts.models import User; from accounts.services import user_password_set; "
        "user_password_set(user=User.objects.get(username='alice'), "
        "password='correct horse battery', actor=None)"
    )
    run(["sh", str(ENTRYPOINT), "manage", "shell", "-c", set_password], env=stack.env)
    status, headers, page = stack.request("GET", "/account/login/", auth=False)
    assert status == 200
    csrf = headers["set-cookie"].split("csrftoken=")[1].split(";")[0]
    form_token = page.split(b'name="csrfmiddlewaretoken" value="')[1].split(b'"')[0].decode()

    def sign_in(password: str) -> tuple[int, bytes]:
        body = urlencode(
            {"login": "alice", "password": password, "csrfmiddlewaretoken": form_token}
        ).encode()
        status, _, page = stack.request(
            "POST", "/account/login/", auth=False, body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Cookie": f"csrftoken={csrf}"},
        )  # fmt: skip
        return status, page

    assert [sign_in("wrong")[0] for _ in range(5)] == [200] * 5
    answers = [sign_in("correct horse battery") for _ in range(4)]
    assert all(
        status == 200 and b"Too many failed login attempts" in page for status, page in answers
    )
    keys = redis_lib.Redis(port=stack.redis.port, db=1).keys("*login_failed*")
    assert keys, "the counts are not in Redis"
