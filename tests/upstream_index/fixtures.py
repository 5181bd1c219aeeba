"""The ``fake_pypi`` fixture: a PyPI-like upstream index as a real second process.

``server.py`` (standard library only) serves a directory; ``FakePyPI`` fills it with wheels
and sdists from ``tests.dists``, starts and stops the process on a loopback port, turns the
server's knobs and reads its request log. Registered for the whole suite by
``pytest_plugins`` in tests/conftest.py.

    def test_something(fake_pypi, settings):
        settings.PRIVINDEX_UPSTREAM_URL = fake_pypi.url          # http://127.0.0.1:PORT/simple/
        fake_pypi.add("extra-pkg", "1.0", requires_dist=["public-dep>=2"])
        fake_pypi.tamper("public_dep-2.0-py3-none-any.whl")      # bytes differ from the hash
        fake_pypi.stop(); ...; fake_pypi.start()                 # same port
        assert not fake_pypi.requested("acme-secret")            # never asked for, at all
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests import dists

SERVER = Path(__file__).with_name("server.py")
CONTROL = "_control"
IMPOSTOR_MARKER = "IMPOSTOR = True"  # the module source of the impostor acme-secret 9.9.9
IMPOSTOR_MODULE = (
    f"# Not the real acme-secret: a dependency-confusion impostor.\n{IMPOSTOR_MARKER}\n"
)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class FakePyPI:
    """One fake upstream index: its directory, its process and its knobs."""

    def __init__(self, root: Path, *, host: str = "127.0.0.1") -> None:
        self.root = Path(root)
        self.host = host
        self.control = self.root / CONTROL
        self.control.mkdir(parents=True, exist_ok=True)
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self._log_file = self.control / "server.log"
        # The last mtime given to a file: every change moves it on by a second at least
        # (Last-Modified has one-second resolution). Content made before the first start
        # is dated from a day ago, like a real index's; later changes are dated now or after.
        self._stamp = time.time() - 86400

    # --- addresses ------------------------------------------------------------------------

    @property
    def base(self) -> str:
        assert self.port is not None, "the fake PyPI was never started"
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The simple index URL, as PRIVINDEX_UPSTREAM_URL wants it (ends in /simple/)."""
        return f"{self.base}/simple/"

    def page_url(self, name: str) -> str:
        return f"{self.url}{normalize(name)}/"

    def file_url(self, filename: str) -> str:
        path = self.path(filename)
        return f"{self.base}/packages/{path.parent.name}/{filename}"

    # --- content --------------------------------------------------------------------------

    def add(
        self,
        name: str,
        version: str,
        *,
        requires_dist: Iterable[str] = (),
        requires_python: str | None = None,
        wheel: bool = True,
        sdist: bool = True,
        metadata: bool = True,
        yanked: bool | str = False,
        module_source: str | None = None,
        files: Mapping[str, dists.Content] | None = None,
    ) -> list[Path]:
        """Add a release: a wheel (with its ``.metadata`` unless ``metadata=False``) and an
        sdist, built by ``tests.dists``. ``yanked`` (True or a reason) yanks both. Returns
        the paths of the files written."""
        requires_dist = list(requires_dist)
        built: list[tuple[str, bytes]] = []
        if wheel:
            built.append(
                dists.make_wheel(
                    name, version, requires_dist=requires_dist, requires_python=requires_python,
                    module_source=module_source, files=files,
                )
            )  # fmt: skip
        if sdist:
            built.append(
                dists.make_sdist(
                    name, version, requires_dist=requires_dist, requires_python=requires_python,
                    module_source=module_source,
                )
            )  # fmt: skip
        paths = [
            self.add_file(name, filename, content, yanked=yanked) for filename, content in built
        ]
        if wheel and metadata:
            self._write_metadata(paths[0])
        return paths

    def add_file(
        self, name: str, filename: str, content: bytes, *, yanked: bool | str = False
    ) -> Path:
        """Put one file (any bytes) into ``name``'s project."""
        directory = self.root / normalize(name)
        directory.mkdir(exist_ok=True)
        path = directory / filename
        path.write_bytes(content)
        self._touch(path)
        if yanked is not False:
            self.yank(filename, "" if yanked is True else yanked)
        return path

    def yank(self, filename: str, reason: str = "") -> None:
        sidecar = Path(f"{self.path(filename)}.yanked")
        sidecar.write_text(reason)
        self._touch(sidecar)

    def unyank(self, filename: str) -> None:
        Path(f"{self.path(filename)}.yanked").unlink(missing_ok=True)
        self._touch(self.path(filename).parent)

    def remove(self, name: str) -> None:
        """Delete a whole project."""
        directory = self.root / normalize(name)
        for path in directory.iterdir():
            path.unlink()
        directory.rmdir()

    def _write_metadata(self, wheel: Path) -> None:
        with zipfile.ZipFile(wheel) as archive:
            member = next(
                m
                for m in archive.namelist()
                if m.endswith(".dist-info/METADATA") and m.count("/") == 1
            )
            text = archive.read(member)
        sidecar = Path(f"{wheel}.metadata")
        sidecar.write_bytes(text)
        self._touch(sidecar)

    def _touch(self, path: Path) -> None:
        """Give ``path`` (and its directory) an mtime later than any before."""
        stamp = self._stamp + 1
        if self.port is not None:  # started once: changes happen now
            stamp = max(stamp, time.time())
        self._stamp = stamp
        os.utime(path, (stamp, stamp))
        if path.parent != self.root:
            os.utime(path.parent, (stamp, stamp))

    def projects(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name != CONTROL)

    def files(self, name: str) -> list[Path]:
        """The distribution files of ``name`` (no sidecars)."""
        directory = self.root / normalize(name)
        return sorted(
            p for p in directory.iterdir() if p.name.endswith((".whl", ".tar.gz", ".zip"))
        )

    def path(self, filename: str) -> Path:
        """The real (untampered) file called ``filename``."""
        found = [p for p in self.root.glob(f"*/{filename}") if p.parent.name != CONTROL]
        assert len(found) == 1, f"{filename}: {found or 'no such file'} in the fake PyPI"
        return found[0]

    def sha256(self, filename: str) -> str:
        return hashlib.sha256(self.path(filename).read_bytes()).hexdigest()

    # --- knobs ----------------------------------------------------------------------------

    def _knob(self, name: str, value: str | None) -> None:
        path = self.control / name
        if value is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(value)

    def tamper(self, filename: str, content: bytes | None = None) -> bytes:
        """Serve other bytes for ``filename`` (default: the real bytes with one byte changed
        in the middle, same size) while pages keep advertising the real hash. Returns them."""
        real = self.path(filename).read_bytes()
        if content is None:
            middle = len(real) // 2
            content = real[:middle] + bytes([real[middle] ^ 0xFF]) + real[middle + 1 :]
        directory = self.control / "tamper"
        directory.mkdir(exist_ok=True)
        (directory / filename).write_bytes(content)
        return content

    def untamper(self, filename: str | None = None) -> None:
        """Serve the real bytes again (for ``filename``, or every file)."""
        directory = self.control / "tamper"
        for path in directory.glob(filename or "*"):
            path.unlink()

    def html_only(self, on: bool = True) -> None:
        """Answer every page in HTML, whatever the Accept header (an old static index)."""
        self._knob("html-only", "" if on else None)

    def relative_urls(self, on: bool = True) -> None:
        """Link files with relative URLs (``../../packages/...``) instead of absolute ones."""
        self._knob("relative-urls", "" if on else None)

    def delay(self, seconds: float | None, prefix: str = "") -> None:
        """Sleep ``seconds`` before answering requests whose path starts with ``prefix``
        (``/simple/``, ``/packages/``...; every request by default); ``None`` clears it."""
        self._knob("delay", None if seconds is None else f"{seconds} {prefix}".strip())

    def fail(self, status: int | None = 500, prefix: str = "") -> None:
        """Answer requests whose path starts with ``prefix`` with ``status``; ``None`` clears."""
        self._knob("status", None if status is None else f"{status} {prefix}".strip())

    # --- the request log ------------------------------------------------------------------

    def log(self) -> list[dict]:
        """Every request the server received, oldest first (method, path, accept, ...)."""
        try:
            text = (self.control / "requests.log").read_text()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def requests(self) -> list[str]:
        """The paths requested, oldest first."""
        return [record["path"] for record in self.log()]

    def clear_log(self) -> None:
        (self.control / "requests.log").unlink(missing_ok=True)

    def requested(self, name: str, kind: str | None = None) -> list[str]:
        """The paths requested that concern project ``name`` (any spelling): its page
        (``kind="page"``), its files (``kind="file"``), or both. Truthy if any."""
        wanted = normalize(name)
        hits = []
        for path in self.requests():
            parts = [unquote(p) for p in urlsplit(path).path.split("/")]
            if len(parts) >= 3 and parts[1] == "simple" and normalize(parts[2]) == wanted:
                if kind in (None, "page"):
                    hits.append(path)
            elif len(parts) >= 3 and parts[1] == "packages":
                filename = parts[3] if len(parts) > 3 else ""
                ours = normalize(parts[2]) == wanted or normalize(filename).startswith(f"{wanted}-")
                if ours and kind in (None, "file"):
                    hits.append(path)
        return hits

    # --- the process ----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 15) -> FakePyPI:
        """Start the server (on the port it had before, if it ran already)."""
        assert not self.running, "the fake PyPI is already running"
        port_file = self.control / "port"
        port_file.unlink(missing_ok=True)
        argv = [sys.executable, str(SERVER), "--root", str(self.root), "--host", self.host]
        argv += ["--port", str(self.port or 0), "--port-file", str(port_file)]
        # Its stdin is a pipe from us: if the test process dies, the server exits too.
        argv += ["--exit-with-stdin"]
        with open(self._log_file, "ab") as log:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while not port_file.exists():
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"the fake PyPI did not start:\n{self.server_log()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"the fake PyPI did not start in {timeout}s:\n{self.server_log()}"
                )
            time.sleep(0.02)
        self.port = int(port_file.read_text())
        return self

    def stop(self) -> None:
        """Stop the server: connections are refused until ``start()``."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc = None

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        """The upstream is down inside the block, up again after it."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def server_log(self) -> str:
        try:
            return self._log_file.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> tuple[int, dict, bytes]:
        """GET ``path`` (``/simple/x/``...) directly: (status, headers, body); no redirects
        followed, 304 and errors returned, not raised."""
        request = urllib.request.Request(self.base + path, headers=dict(headers or {}))
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def populate(fake: FakePyPI) -> None:
    """PyPI-like content: what the public world holds.

    - ``public-dep`` 1.0 (no Requires-Python) and 2.0 (``>=3.8``): wheels, sdists, wheel
      ``.metadata``; 2.1: a wheel only, yanked ("broken build"), so clients take 2.0;
    - ``public-app`` 1.0 (``>=3.8``), which ``Requires-Dist: public-dep>=1.0``;
    - ``acme-secret`` 9.9.9: the impostor of a private name. Its module ``acme_secret`` is
      ``IMPOSTOR_MODULE`` (``IMPOSTOR = True``): installed anywhere, it is unmistakable.
    """
    fake.add("public-dep", "1.0")
    fake.add("public-dep", "2.0", requires_python=">=3.8")
    fake.add("public-dep", "2.1", requires_python=">=3.8", sdist=False, yanked="broken build")
    fake.add("public-app", "1.0", requires_python=">=3.8", requires_dist=["public-dep>=1.0"])
    fake.add("acme-secret", "9.9.9", module_source=IMPOSTOR_MODULE)


@pytest.fixture
def fake_pypi(tmp_path) -> Iterator[FakePyPI]:
    """A running fake PyPI with ``populate``'s content in ``tmp_path / "fake-pypi"``."""
    fake = FakePyPI(tmp_path / "fake-pypi")
    populate(fake)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def empty_fake_pypi(tmp_path) -> Iterator[FakePyPI]:
    """A running fake PyPI with no projects (``add`` what the test needs)."""
    fake = FakePyPI(tmp_path / "empty-fake-pypi")
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
