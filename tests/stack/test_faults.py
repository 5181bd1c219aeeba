"""Faults a production stack meets, and the proof that no upload is lost to them.

Each test ends the same way: every uploaded file is a row marked ``stored``, is in the bucket
exactly once under its key with the right sha256, downloads with the right bytes, and
nothing is left in staging (``Stack.assert_every_file_stored_once``).
"""

from __future__ import annotations

import os
import re
import threading
import time
import zipfile

import pytest

from tests.dists import make_wheel
from tests.stack.procs import wait_until
from tests.stack.stack import MULTIPART, Stack, prepare_database, wait_for_postgres

pytestmark = pytest.mark.stack

UNAVAILABLE = b"Service temporarily unavailable: the database cannot be reached. Retry shortly."


def test_s3_unreachable_uploads_succeed_serve_from_staging_and_are_stored_when_s3_returns(
    stack, tmp_path
):
    stack.start()
    stack.moto.stop()
    wheels = dict(make_wheel("outage-demo", version) for version in ("1.0", "1.1"))

    stack.twine_upload(*wheels.items())

    # Stored nowhere yet, yet downloadable at once: from staging, through the app.
    assert {row["state"] for row in stack.files().values()} == {"staged"}
    for filename, content in wheels.items():
        status, body = stack.download(filename, content)
        assert status == 200 and body == content
    downloaded = stack.pip_download("outage-demo==1.1", tmp_path / "pip")
    assert downloaded.read_bytes() == wheels[downloaded.name]
    # The task retries with backoff (and the sweeper keeps re-queueing).
    worker = stack.workers[0]
    worker.wait_for_log("retry: Retry in", timeout=30)
    assert re.search(r"store_file\[[0-9a-f-]+\] retry: Retry in \d+s: StoreError", worker.log())
    assert {row["state"] for row in stack.files().values()} == {"staged"}

    stack.moto.start()  # same port; moto keeps nothing, so the bucket is created again
    stack.create_bucket()

    stack.wait_stored(wheels, timeout=60)
    stack.assert_every_file_stored_once(wheels)


def test_worker_killed_in_the_middle_of_storing_the_task_is_redelivered_and_completes(stack):
    # No beat here: the file can only be stored by the very message the dead worker held.
    stack.start(beat=False, PRIVINDEX_TEST_STORE_DELAY="60")
    payload = os.urandom(2 * MULTIPART + 1024)  # incompressible: three parts
    filename, content = make_wheel(
        "killed-demo", "1.0", files={"killed_demo_data/blob.bin": payload},
        compression=zipfile.ZIP_STORED,
    )  # fmt: skip
    key_suffix = f"/{filename}"
    client = stack.moto.client()

    stack.twine_upload((filename, content))

    def uploading():
        uploads = client.list_multipart_uploads(Bucket=stack.bucket).get("Uploads", [])
        return any(upload["Key"].endswith(key_suffix) for upload in uploads)

    wait_until(uploading, timeout=30, what="the worker to be in the middle of the upload")
    first = stack.workers[0]
    first.wait_for_log("test store delay", timeout=10)
    first.kill()  # SIGKILL to the worker and its pool child at once
    assert stack.files()[filename]["state"] == "staged"
    assert stack.bucket_objects() == {}

    second = stack.start_worker()  # no delay
    stack.wait_stored([filename], timeout=60)

    # The same message, delivered again (acks_late; Redis gives back unacknowledged
    # messages after the visibility timeout), not a new one.
    received = re.compile(r"Task projects\.tasks\.store_file\[([0-9a-f-]+)\] received")
    first_ids, second_ids = received.findall(first.log()), received.findall(second.log())
    assert first_ids and first_ids[0] in second_ids
    stack.assert_every_file_stored_once({filename: content})


def test_redis_down_at_upload_time_the_upload_succeeds_and_the_sweeper_stores_it(stack):
    stack.start()
    stack.redis.stop()
    filename, content = make_wheel("nobroker-demo", "1.0")

    started = time.monotonic()
    stack.twine_upload((filename, content))
    assert time.monotonic() - started < 20  # enqueueing gives up quickly

    assert stack.files()[filename]["state"] == "staged"  # the row is committed
    assert "could not enqueue storing file" in stack.web.log()
    assert "Traceback" not in stack.web.log()
    status, body = stack.download(filename)
    assert status == 200 and body == content

    stack.redis.start()  # empty: the task that could not be sent is nowhere
    stack.wait_stored([filename], timeout=90)
    assert "re-queued 1 staged file(s)" in "".join(w.log() for w in stack.workers)
    stack.assert_every_file_stored_once({filename: content})


def test_postgresql_restart_during_uploads_and_installs_answers_503_and_loses_nothing(
    pg_cluster, moto, redis, tmp_path
):
    pg, server = pg_cluster
    token = prepare_database(pg, "privindex", tmp_path / "prepare")
    stack = Stack(tmp=tmp_path / "stack", pg=pg, database="privindex", token=token, moto=moto,
                  redis=redis)  # fmt: skip
    try:
        _postgresql_restart(stack, server, pg, tmp_path)
    finally:
        stack.stop()
        print(stack.logs_tail())


def _postgresql_restart(stack: Stack, server, pg, tmp_path) -> None:
    stack.start()
    uploaded: dict[str, bytes] = {}  # filename -> bytes, for uploads answered 200
    answers: list[tuple[str, int, bytes]] = []
    installs: list[tuple[int, str]] = []
    failures: list[Exception] = []
    stop = threading.Event()

    def traffic():
        """Uploads and downloads, one after the other, until told to stop; an upload that
        is refused is sent again until it is accepted, as a client would."""
        version = 0
        try:
            while not stop.is_set():
                version += 1
                filename, content = make_wheel("restart-demo", f"1.{version}")
                while True:
                    status, _, body = stack.upload_http(filename, content)
                    answers.append(("upload", status, body))
                    if status == 200:
                        uploaded[filename] = content
                        break
                    time.sleep(0.2)
                status, _, body = stack.request("GET", "/simple/restart-demo/")
                answers.append(("page", status, body))
                for name in list(uploaded)[-2:]:
                    status, body = stack.download(name, uploaded[name])
                    answers.append(("file", status, body))
                    status, _, body = stack.request("HEAD", stack.file_path(name, uploaded[name]))
                    answers.append(("head", status, body))
        except Exception as exc:  # surfaced by the main thread
            failures.append(exc)

    def pip_loop():
        """pip installing (downloading) the first release, again and again."""
        try:
            while not stop.is_set():
                dest = tmp_path / f"pip-{len(installs)}"
                args = ["download", "--no-deps", "--index-url", stack.index_url(),
                        "--dest", str(dest), "restart-demo==1.1"]  # fmt: skip
                result = stack.pip(args, check=False)
                installs.append((result.returncode, result.stdout + result.stderr))
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=traffic), threading.Thread(target=pip_loop)]
    threads[0].start()
    try:
        wait_until(lambda: len(uploaded) >= 2 or failures, timeout=60,
                   what="uploads before the restart")  # fmt: skip
        threads[1].start()
        wait_until(lambda: installs or failures, timeout=60, what="an install before the restart")
        server.stop()  # fast shutdown: sessions are terminated mid-request
        outage = len(answers)
        wait_until(lambda: any(s == 503 for _, s, _ in answers[outage:]) or failures,
                   timeout=30, what="a 503 during the outage")  # fmt: skip
        status, headers, body = stack.request("GET", "/simple/restart-demo/")
        assert status == 503 and body.strip() == UNAVAILABLE and headers["retry-after"] == "5"
        status, _, body = stack.request("GET", "/healthz", auth=False)
        assert status == 503 and b'"database": "error: OperationalError"' in body
        late = make_wheel("restart-demo", "9.0")
        refused = stack.twine_upload(late, check=False)  # twine shows the reason phrase
        assert refused.returncode != 0
        assert "503" in refused.stdout + refused.stderr
        assert UNAVAILABLE.decode() in " ".join((refused.stdout + refused.stderr).split())
        server.start()
        wait_for_postgres(pg, server)
        during, installed = len(uploaded), len(installs)
        wait_until(
            lambda: (len(uploaded) >= during + 2 and len(installs) > installed) or failures,
            timeout=90,
            what="uploads and installs after the restart",
        )
    finally:
        stop.set()
        for thread in threads:
            if thread.is_alive() or thread.ident is not None:
                thread.join(120)
    assert not failures, failures
    assert not any(thread.is_alive() for thread in threads)

    statuses = {status for _, status, _ in answers}
    assert statuses <= {200, 302, 503}, sorted(statuses)
    assert 503 in statuses
    for kind, status, body in answers:
        if status == 503:  # the message, never a traceback or an HTML error page
            assert body.strip() in (UNAVAILABLE, b""), (kind, body[:500])  # HEAD: no body
    for returncode, output in installs:  # pip retries 503s; if it gives up, it says 503
        assert returncode == 0 or ("503" in output and "500" not in output), output[-2000:]
    assert installs[-1][0] == 0, installs[-1][1][-2000:]

    stack.twine_upload(late)  # sent again once the database is back: accepted
    uploaded[late[0]] = late[1]
    downloaded = stack.pip_download("restart-demo==9.0", tmp_path / "pip")
    assert downloaded.read_bytes() == late[1]
    # Nothing committed is lost: every upload answered 200 is there, stored, once.
    stack.wait_stored(uploaded, timeout=90)
    stack.assert_every_file_stored_once(uploaded)
