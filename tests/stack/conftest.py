"""Fixtures for the stack tests (``-m stack``): moto's S3 server and Redis for the session,
a fresh database, bucket and set of app processes for each test, and for the PostgreSQL
restart test a throwaway PostgreSQL cluster. Every process is killed at teardown."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import redis as redis_client

from tests.stack.procs import Service, base_env, free_port, kill_all, run
from tests.stack.stack import Moto, PgServer, Redis, Stack, prepare_database, wait_for_postgres

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def pytest_sessionfinish(session, exitstatus):
    kill_all()


@pytest.fixture(scope="session")
def stack_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="session")
def moto_server(stack_root):
    server = Moto(stack_root)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server(stack_root):
    server = Redis(stack_root)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def moto(moto_server) -> Moto:
    """The session's moto server, running (a fault test may have stopped it)."""
    if not moto_server.running:
        moto_server.start()
    return moto_server


@pytest.fixture
def redis(redis_server) -> Redis:
    """The session's Redis, running and empty."""
    if not redis_server.running:
        redis_server.start()
    with redis_client.Redis(port=redis_server.port, socket_timeout=5) as client:
        client.flushall()
    return redis_server


@pytest.fixture(scope="session")
def shared_pg() -> PgServer:
    """The PostgreSQL server the suite runs on (DATABASE_URL): the stack gets its own
    databases there and drops them afterwards."""
    parts = urlsplit(os.environ.get("DATABASE_URL", ""))
    if not parts.scheme.startswith("postgres"):
        pytest.fail("the stack tests need DATABASE_URL pointing to PostgreSQL")
    return PgServer(
        parts.hostname or "127.0.0.1", parts.port or 5432,
        unquote(parts.username or "postgres"), unquote(parts.password or ""),
    )  # fmt: skip


@pytest.fixture(scope="session")
def template_db(shared_pg, stack_root):
    """A migrated database with a user and a token, copied for each test (fast)."""
    name = f"privindex_stack_{uuid.uuid4().hex[:8]}_tpl"
    try:
        token = prepare_database(shared_pg, name, stack_root / "template")
        yield name, token
    finally:
        shared_pg.drop(name)


@pytest.fixture
def stack(tmp_path, shared_pg, template_db, moto, redis):
    """A stack (not started: each test starts it with what it needs) on a fresh copy of the
    template database and a fresh bucket."""
    name = f"privindex_stack_{uuid.uuid4().hex[:8]}"
    shared_pg.create(name, template=template_db[0])
    app = Stack(tmp=tmp_path, pg=shared_pg, database=name, token=template_db[1], moto=moto,
                redis=redis)  # fmt: skip
    try:
        yield app
    finally:
        app.stop()
        print(app.logs_tail())  # shown by pytest when the test failed
        shared_pg.drop(name)


def _pg_binary(name: str) -> str:
    return shutil.which(name) or str(PG_BIN / name)


@pytest.fixture
def pg_cluster(stack_root):
    """A throwaway PostgreSQL cluster on a free loopback port (the test restarts it; the
    machine's shared server is never touched). Yields (PgServer, Service)."""
    base = Path(tempfile.mkdtemp(prefix="privindex-pg-"))
    user = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        account = pwd.getpwnam("postgres")
        os.chown(base, account.pw_uid, account.pw_gid)
        user = "postgres"
    env = base_env(base)
    port = free_port()
    server = Service(
        "postgres",
        [_pg_binary("postgres"), "-D", str(base / "data"), "-p", str(port), "-k", str(base),
         "-h", "127.0.0.1", "-c", "max_connections=50"],
        env=env, log_dir=stack_root, cwd=base, user=user,
    )  # fmt: skip
    pg = PgServer("127.0.0.1", port, "postgres")
    try:
        run([_pg_binary("initdb"), "-D", str(base / "data"), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--no-sync", "--no-instructions"],
            env=env, cwd=base, user=user, timeout=120)  # fmt: skip
        server.start()
        wait_for_postgres(pg, server)
        yield pg, server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
