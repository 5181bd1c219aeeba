"""Subprocesses for the stack tests: each in its own session on a loopback port, logged to a
file, and always killed (process group and all) when the test ends, whatever happened."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"

_running: set[Service] = set()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(check: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.2):
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


class Service:
    """One long-running process. ``start()`` may be called again after ``stop()``/``kill()``
    (same command, same port): that is how the tests restart S3, Redis and PostgreSQL."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: dict[str, str],
        log_dir: Path,
        cwd: Path = ROOT,
        user: str | None = None,
    ) -> None:
        self.name, self.argv, self.env, self.cwd, self.user = name, list(argv), env, cwd, user
        self.log_path = Path(log_dir) / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Service:
        assert not self.running, f"{self.name} is already running"
        with open(self.log_path, "ab") as log:
            log.write(f"--- start {' '.join(self.argv)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,  # its own process group: children die with it
                user=self.user,
            )
        _running.add(self)
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _signal(self, sig: int) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM the process group (SIGINT for PostgreSQL: a fast shutdown), then SIGKILL."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._signal(signal.SIGINT if self.name.startswith("postgres") else signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
        self.kill()

    def kill(self) -> None:
        """SIGKILL the whole process group (a worker and its pool children at once)."""
        if self.proc is None:
            return
        self._signal(signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None
        _running.discard(self)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for_log(self, text: str, *, timeout: float, after: int = 0) -> None:
        def seen():
            if not self.running:
                raise AssertionError(f"{self.name} exited:\n{self.log()[-3000:]}")
            return text in self.log()[after:]

        wait_until(seen, timeout=timeout, what=f"{text!r} in the {self.name} log")


def kill_all() -> None:
    for service in list(_running):
        with contextlib.suppress(Exception):  # teardown: kill the others whatever happens
            service.kill()


atexit.register(kill_all)


def run(
    argv: Sequence[str],
    *,
    env: dict[str, str],
    timeout: float = 120,
    check: bool = True,
    cwd: Path = ROOT,
    **kwargs: Any,
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        list(map(str, argv)), check=False, env=env, cwd=cwd, capture_output=True, text=True,
        timeout=timeout,
        **kwargs,
    )  # fmt: skip
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, argv))} exited {result.returncode}\n"
            f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"
        )
    return result


def base_env(home: Path) -> dict[str, str]:
    """A clean environment: nothing from the developer's shell reaches the stack (no AWS
    profile, no proxy, no pip or twine configuration)."""
    return {
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
