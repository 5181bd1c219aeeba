"""The production stack, run natively: the services it needs and the clients that use it.

``Stack`` starts the same commands docker-compose.yml runs (``docker/entrypoint.sh web``,
``worker``, ``beat``, ``createbucket``, ``migrate``) against PostgreSQL, Redis and moto's S3
server, all on loopback ports, and offers what a test needs to drive and inspect it: twine,
pip, raw HTTP, the database rows and the bucket's objects.
"""

from __future__ import annotations

import hashlib
import http.client
import shutil
import uuid
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import psycopg
from botocore.config import Config

from tests.dists import upload_fields
from tests.stack.procs import (
    ENTRYPOINT,
    VENV_BIN,
    Service,
    base_env,
    free_port,
    port_open,
    run,
    wait_until,
)

S3_KEY = "stack-test"
MULTIPART = 5 * 1024**2  # S3's smallest part: files above this go up in parts


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class PgServer:
    host: str
    port: int
    user: str
    password: str = ""

    def url(self, database: str) -> str:
        auth = f"{self.user}:{self.password}" if self.password else self.user
        return f"postgresql://{auth}@{self.host}:{self.port}/{database}"

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, password=self.password or None,
            dbname="postgres", autocommit=True, connect_timeout=5,
        )  # fmt: skip

    def create(self, name: str, template: str | None = None) -> None:
        with self.admin() as conn:
            sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
            conn.execute(sql)

    def drop(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Moto(Service):
    """moto's S3 server. In-memory: a restart loses every bucket."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        argv = [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)]
        super().__init__("moto", argv, env=base_env(log_dir), log_dir=log_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Moto:
        super().start()
        wait_until(lambda: port_open(self.port), timeout=30, what="moto to listen")
        return self

    def client(self) -> Any:
        return boto3.client(
            "s3", endpoint_url=self.url, region_name="us-east-1", aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_KEY,
            config=Config(retries={"max_attempts": 1}, signature_version="s3v4"),
        )  # fmt: skip


class Redis(Service):
    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(log_dir)]  # fmt: skip
        super().__init__("redis", argv, env=base_env(log_dir), log_dir=log_dir)

    def start(self) -> Redis:
        super().start()
        wait_until(lambda: port_open(self.port), timeout=30, what="redis to listen")
        return self


def prepare_database(pg: PgServer, name: str, tmp: Path) -> str:
    """Create and migrate ``name`` (``entrypoint.sh migrate``), add a user and return an
    upload+read token made with the management commands."""
    pg.create(name)
    env = {
        **base_env(tmp),
        "DATABASE_URL": pg.url(name),
        "PRIVINDEX_DATA_DIR": str(tmp / "data"),
        "DJANGO_SECRET_KEY": "stack-test",
    }
    run(["sh", str(ENTRYPOINT), "migrate", "-v0"], env=env)
    manage = ["sh", str(ENTRYPOINT), "manage"]
    run([*manage, "createuser", "alice", "--email", "alice@example.com"], env=env)
    token = run([*manage, "createtoken", "alice", "--scope", "upload", "--scope", "read"], env=env)
    return token.stdout.strip()


class Stack:
    """web (gunicorn), worker(s) and beat on one database, one bucket, one Redis."""

    def __init__(
        self, *, tmp: Path, pg: PgServer, database: str, token: str, moto: Moto, redis: Redis,
        **settings: str,
    ) -> None:  # fmt: skip
        self.tmp, self.pg, self.database, self.token = tmp, pg, database, token
        self.moto, self.redis = moto, redis
        self.bucket = f"privindex-{uuid.uuid4().hex[:12]}"
        self.port = free_port()
        self.logs = tmp / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.env = {
            **base_env(tmp),
            "DATABASE_URL": pg.url(database) + "?connect_timeout=3",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis.port}/0",
            "PRIVINDEX_CACHE_URL": f"redis://127.0.0.1:{redis.port}/1",
            "PRIVINDEX_STORAGE": "s3",
            "AWS_S3_ENDPOINT_URL": moto.url,
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_ACCESS_KEY_ID": S3_KEY,
            "AWS_SECRET_ACCESS_KEY": S3_KEY,
            "AWS_S3_REGION_NAME": "us-east-1",
            "PRIVINDEX_DATA_DIR": str(tmp / "data"),
            "DJANGO_SECRET_KEY": "stack-test",
            "PRIVINDEX_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            "CELERY_CONCURRENCY": "1",
            # Fast timings for the test: sweep every 2 s, files staged for 3 s are swept,
            # retries back off up to 2 s, unacknowledged tasks come back after 10 s (looked
            # for every 2 s).
            "PRIVINDEX_SWEEP_SECONDS": "2",
            "PRIVINDEX_STAGED_AGE_SECONDS": "3",
            "PRIVINDEX_STORE_RETRY_BACKOFF_MAX": "2",
            "CELERY_VISIBILITY_TIMEOUT": "10",
            "CELERY_UNACKED_RESTORE_INTERVAL": "2",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1",
            "PRIVINDEX_S3_MULTIPART_THRESHOLD": str(MULTIPART),
            "PRIVINDEX_S3_MULTIPART_CHUNKSIZE": str(MULTIPART),
            "PRIVINDEX_S3_CONNECT_TIMEOUT": "2",
            **settings,
        }
        self.web = Service("web", ["sh", str(ENTRYPOINT), "web"], env=self.env, log_dir=self.logs)
        self.beat = Service(
            "beat", ["sh", str(ENTRYPOINT), "beat"], env=self.env, log_dir=self.logs
        )
        self.workers: list[Service] = []

    # --- processes -----------------------------------------------------------------------

    def create_bucket(self) -> None:
        run(["sh", str(ENTRYPOINT), "createbucket", "--wait", "10"], env=self.env)

    def start(self, *, beat: bool = True, **worker_env: str) -> Stack:
        self.create_bucket()
        self.web.start()
        worker = self.start_worker(wait=False, **worker_env)
        if beat:
            self.beat.start()
        self.wait_web()
        worker.wait_for_log(" ready.", timeout=60)
        if beat:
            self.beat.wait_for_log("beat: Starting", timeout=60)
        return self

    def wait_web(self, timeout: float = 60) -> None:
        def up():
            if not self.web.running:
                raise AssertionError(f"web exited:\n{self.web.log()[-3000:]}")
            try:
                return self.request("GET", "/healthz", auth=False)[0] == 200
            except OSError:
                return False

        wait_until(up, timeout=timeout, what="the web process to answer /healthz")

    def start_worker(self, *, wait: bool = True, **extra_env: str) -> Service:
        name = f"worker-{len(self.workers) + 1}"
        worker = Service(
            name,
            ["sh", str(ENTRYPOINT), "worker", "--hostname", f"{name}@%h"],
            env={**self.env, **extra_env},
            log_dir=self.logs,
        )
        worker.start()
        self.workers.append(worker)
        if wait:
            worker.wait_for_log(" ready.", timeout=60)
        return worker

    def stop(self) -> None:
        for service in [self.beat, *self.workers, self.web]:
            service.stop(timeout=5)

    def logs_tail(self, chars: int = 4000) -> str:
        return "\n".join(
            f"===== {service.name}\n{service.log()[-chars:]}"
            for service in [self.web, *self.workers, self.beat]
        )

    # --- clients -------------------------------------------------------------------------

    def auth_header(self) -> dict[str, str]:
        return {"Authorization": "Basic " + b64encode(f"__token__:{self.token}".encode()).decode()}

    def request(
        self, method: str, path: str, *, auth: bool = True, headers: dict[str, str] | None = None,
        body: bytes | None = None, timeout: float = 30,
    ) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
        """One request, redirects not followed: (status, headers lower-cased, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            all_headers = {**(self.auth_header() if auth else {}), **(headers or {})}
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            conn.close()

    def upload_http(self, filename: str, content: bytes) -> tuple[int, dict[str, str], bytes]:
        """POST /legacy/ as twine does, without starting a process (for load loops)."""
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in upload_fields(filename, content).items():
            for item in value if isinstance(value, list) else [value]:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                    f"{item}\r\n".encode()
                )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="content"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content + f"\r\n--{boundary}--\r\n".encode()
        )  # fmt: skip
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request("POST", "/legacy/", headers=headers, body=b"".join(parts))

    def twine_upload(self, *dists: tuple[str, bytes], check: bool = True):
        """``twine upload`` of (filename, bytes) pairs written to a fresh dist/ directory."""
        dist = self.tmp / f"dist-{uuid.uuid4().hex[:8]}"
        dist.mkdir()
        for filename, content in dists:
            (dist / filename).write_bytes(content)
        env = {**self.env, "TWINE_USERNAME": "__token__", "TWINE_PASSWORD": self.token}
        argv = [str(VENV_BIN / "twine"), "upload", "--non-interactive", "--disable-progress-bar",
                "--repository-url", f"http://127.0.0.1:{self.port}/legacy/",
                *sorted(str(p) for p in dist.iterdir())]  # fmt: skip
        try:
            return run(argv, env=env, timeout=120, check=check)
        finally:
            shutil.rmtree(dist)

    def pip_download(self, requirement: str, dest: Path) -> Path:
        """``pip download`` through the index (and the 302 to S3 for stored files)."""
        dest.mkdir(parents=True, exist_ok=True)
        self.pip(["download", "--no-deps", "--index-url", self.index_url(), "--dest", str(dest),
                  requirement])  # fmt: skip
        (downloaded,) = dest.iterdir()
        return downloaded

    def pip(self, args: list[str], *, check: bool = True):
        argv = [str(VENV_BIN / "python"), "-m", "pip", "--isolated", "--no-cache-dir",
                "--disable-pip-version-check", *args]  # fmt: skip
        return run(argv, env=self.env, timeout=120, check=check)

    def index_url(self) -> str:
        return f"http://__token__:{self.token}@127.0.0.1:{self.port}/simple/"

    # --- state ---------------------------------------------------------------------------

    def db(self) -> psycopg.Connection:
        return psycopg.connect(self.pg.url(self.database), autocommit=True, connect_timeout=5)

    def files(self) -> dict[str, dict[str, Any]]:
        """filename -> its projects_file row."""
        with self.db() as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT filename, sha256, size, storage_state, blake2_256 FROM projects_file"
            )
            rows = cur.fetchall()
        return {
            filename: {"sha256": digest, "size": size, "state": state,
                       "key": f"{b[:2]}/{b[2:4]}/{b[4:]}/{filename}"}
            for filename, digest, size, state, b in rows
        }  # fmt: skip

    def wait_stored(self, filenames, *, timeout: float = 60) -> None:
        def stored():
            files = self.files()
            return all(files.get(name, {}).get("state") == "stored" for name in filenames)

        try:
            wait_until(stored, timeout=timeout, what=f"{sorted(filenames)} to be stored",
                       interval=0.5)  # fmt: skip
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.files()}\n{self.logs_tail()}") from None

    def bucket_objects(self) -> dict[str, str]:
        """key -> sha256 of every object in the bucket."""
        client = self.moto.client()
        objects = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                body = client.get_object(Bucket=self.bucket, Key=item["Key"])["Body"]
                with body:
                    objects[item["Key"]] = sha256(body.read())
        return objects

    def file_path(self, filename: str, content: bytes | None = None) -> str:
        """The file's app URL path: from its bytes when given, else from its row."""
        if content is None:
            return f"/files/{self.files()[filename]['key']}"
        b = hashlib.blake2b(content, digest_size=32).hexdigest()
        return f"/files/{b[:2]}/{b[2:4]}/{b[4:]}/{filename}"

    def download(self, filename: str, content: bytes | None = None) -> tuple[int, bytes]:
        """GET the file as a client would: through the app, following one redirect to S3
        (without the index credentials, as pip and uv drop them on another host)."""
        status, headers, body = self.request("GET", self.file_path(filename, content))
        if status != 302:
            return status, body
        location = headers["location"]
        assert location.startswith(self.moto.url + "/"), location
        conn = http.client.HTTPConnection("127.0.0.1", self.moto.port, timeout=30)
        try:
            conn.request("GET", location[len(self.moto.url) :])
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def assert_every_file_stored_once(self, expected: dict[str, bytes]) -> None:
        """Every uploaded file (and no other) is a row marked stored, is in the bucket
        exactly once under its key with the right sha256, and downloads with those bytes."""
        files = self.files()
        assert set(files) == set(expected), (sorted(files), sorted(expected))
        objects = self.bucket_objects()
        assert sorted(objects) == sorted(row["key"] for row in files.values())
        for filename, content in expected.items():
            row = files[filename]
            assert row["state"] == "stored", (filename, row)
            assert row["sha256"] == sha256(content) == objects[row["key"]], filename
            status, body = self.download(filename, content)
            assert status == 200 and sha256(body) == sha256(content), (filename, status)
        staged = [p for p in (self.tmp / "data" / "staging").rglob("*") if p.is_file()]
        assert staged == [], staged


def wait_for_postgres(pg: PgServer, server: Service, timeout: float = 60) -> None:
    def ready():
        if not server.running:
            raise AssertionError(f"postgres exited:\n{server.log()[-3000:]}")
        try:
            with pg.admin():
                return True
        except psycopg.OperationalError:
            return False

    wait_until(ready, timeout=timeout, what="PostgreSQL to accept connections")
