#!/usr/bin/env python3
"""A fake PyPI: a simple repository served from a directory, standard library only.

    python server.py --root DIR [--host 127.0.0.1] [--port 0] [--port-file FILE]
                     [--exit-with-stdin]

It prints the port it listens on (and writes it to ``--port-file``, atomically, once it
accepts connections). ``DIR/<normalized-name>/`` holds a project's files; beside a file:

- ``<file>.metadata``: its core metadata (PEP 658/714), advertised as ``core-metadata``;
- ``<file>.yanked``: the file is yanked (PEP 592), with the text as the reason.

Requires-Python comes from the file's metadata (``.metadata``, the wheel's METADATA or the
sdist's PKG-INFO), the upload time from the file's mtime.

URLs:

- ``/simple/``: the project list; ``/simple/<name>/``: a project page, PEP 691 JSON
  (``application/vnd.pypi.simple.v1+json``, api-version 1.1, with PEP 700 ``versions``,
  ``size`` and ``upload-time``) or HTML (``text/html`` / ``...v1+html``), chosen by the
  Accept header as PyPI does (406 when nothing offered is acceptable). Pages carry ETag and
  Last-Modified and answer 304 to If-None-Match / If-Modified-Since. Names that are not
  normalized are redirected (301) to the normalized URL; unknown names are 404.
- ``/packages/<name>/<filename>``: the files, and ``<filename>.metadata``.

Control knobs are files in ``DIR/_control/`` (no project can be named ``_control``), read
on every request, so they survive a restart and can be set while the server is down:

- ``html-only``: every page is HTML whatever the Accept header (an old static index);
- ``relative-urls``: file URLs on pages are relative (``../../packages/...``), not absolute;
- ``delay``: ``SECONDS [PATH-PREFIX]``, sleep before answering (matching) requests;
- ``status``: ``CODE [PATH-PREFIX]``, answer (matching) requests with that status (500...);
- ``tamper/<filename>``: these bytes are served for the file instead of the real ones (the
  pages keep the real file's hash and size);
- ``requests.log``: written by the server, one JSON object per request (method, path,
  accept, if-none-match, if-modified-since, authorization, user-agent, time), logged
  before any knob applies.
"""

from __future__ import annotations

import argparse
import email.parser
import email.utils
import hashlib
import html
import json
import os
import re
import sys
import tarfile
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
TEXT_HTML = "text/html"
API_VERSION = "1.1"
CONTROL = "_control"
DIST_SUFFIXES = (".whl", ".tar.gz", ".zip")
SIDECAR_SUFFIXES = (".metadata", ".yanked")
# media type in an Accept header -> what we answer with
_MEDIA = {
    JSON_V1: JSON_V1,
    "application/vnd.pypi.simple.latest+json": JSON_V1,
    HTML_V1: HTML_V1,
    "application/vnd.pypi.simple.latest+html": HTML_V1,
    TEXT_HTML: TEXT_HTML,
    "text/*": TEXT_HTML,
    "*/*": TEXT_HTML,
}


def normalize(name: str) -> str:
    """PEP 503 normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


def version_of(filename: str) -> str | None:
    """The version in a wheel or sdist filename."""
    if filename.endswith(".whl"):
        parts = filename[: -len(".whl")].split("-")
        return parts[1] if len(parts) >= 5 else None
    for suffix in (".tar.gz", ".zip"):
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            return stem.rsplit("-", 1)[1] if "-" in stem else None
    return None


def version_key(version: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.+-]", version))


def http_date(timestamp: float) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


def iso_time(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(timestamp))


def negotiate(accept: str | None) -> str | None:
    """The page format for an Accept header; ``None`` when nothing we offer is acceptable."""
    if not accept or not accept.strip():
        return TEXT_HTML
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        offer = _MEDIA.get(media.lower())
        if offer is None or quality <= 0:
            continue
        if best is None or (quality, -position) > (best[0], -best[1]):
            best = (quality, position, offer)
    return best[2] if best else None


class Repository:
    """The directory, read on every request (files may be added while the server runs)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.control = root / CONTROL
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, float, int], dict] = {}

    # --- knobs ----------------------------------------------------------------------------

    def knob(self, name: str) -> str | None:
        try:
            return (self.control / name).read_text().strip()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def knob_for(self, name: str, path: str) -> str | None:
        """A ``VALUE [PATH-PREFIX]`` knob's value if it applies to ``path``."""
        text = self.knob(name)
        if not text:
            return None
        value, _, prefix = text.partition(" ")
        return value if path.startswith(prefix.strip()) else None

    def tampered(self, filename: str) -> bytes | None:
        path = self.control / "tamper" / filename
        return path.read_bytes() if path.is_file() else None

    def log(self, record: dict) -> None:
        line = json.dumps(record, sort_keys=True) + "\n"
        with self._lock:
            self.control.mkdir(exist_ok=True)
            with open(self.control / "requests.log", "a", encoding="utf-8") as log:
                log.write(line)

    # --- content --------------------------------------------------------------------------

    def projects(self) -> list[str]:
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and not p.name.startswith(("_", ".")) and normalize(p.name) == p.name
        )

    def project_dir(self, name: str) -> Path | None:
        path = self.root / name
        return path if name in self.projects() else None

    def files(self, name: str) -> list[dict]:
        directory = self.root / name
        out = []
        for path in sorted(directory.iterdir()):
            if not path.is_file() or not path.name.endswith(DIST_SUFFIXES):
                continue
            out.append(self._describe(path))
        return out

    def last_modified(self, name: str) -> int:
        directory = self.root / name
        times = [directory.stat().st_mtime]
        times += [p.stat().st_mtime for p in directory.iterdir() if p.is_file()]
        return int(max(times))

    def _describe(self, path: Path) -> dict:
        stat = path.stat()
        key = (str(path), stat.st_mtime, stat.st_size)
        sidecars = tuple(
            (s, (Path(f"{path}{s}").stat().st_mtime if Path(f"{path}{s}").exists() else None))
            for s in SIDECAR_SUFFIXES
        )
        full_key = (*key, sidecars)
        with self._lock:
            if full_key in self._cache:
                return self._cache[full_key]
        data = path.read_bytes()
        metadata_path = Path(f"{path}.metadata")
        yanked_path = Path(f"{path}.yanked")
        core_metadata: bytes | None = metadata_path.read_bytes() if metadata_path.exists() else None
        text = core_metadata if core_metadata is not None else _archive_metadata(path)
        requires_python = None
        if text:
            parsed = email.parser.BytesHeaderParser().parsebytes(text)
            requires_python = parsed.get("Requires-Python")
        yanked: bool | str = False
        if yanked_path.exists():
            yanked = yanked_path.read_text().strip() or True
        info = {
            "filename": path.name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "mtime": stat.st_mtime,
            "requires_python": requires_python,
            "yanked": yanked,
            "metadata_sha256": hashlib.sha256(core_metadata).hexdigest()
            if core_metadata is not None
            else None,
            "version": version_of(path.name),
        }
        with self._lock:
            self._cache[full_key] = info
        return info


def _archive_metadata(path: Path) -> bytes | None:
    """METADATA of a wheel, PKG-INFO of an sdist; ``None`` if there is none."""
    try:
        if path.name.endswith(".whl"):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    parts = member.split("/")
                    if (
                        len(parts) == 2
                        and parts[0].endswith(".dist-info")
                        and parts[1] == "METADATA"
                    ):
                        return archive.read(member)
        elif path.name.endswith(".tar.gz"):
            with tarfile.open(path, "r:gz") as archive:
                for member in archive.getmembers():
                    parts = member.name.split("/")
                    if len(parts) == 2 and parts[1] == "PKG-INFO" and member.isreg():
                        extracted = archive.extractfile(member)
                        return extracted.read() if extracted else None
    except (OSError, zipfile.BadZipFile, tarfile.TarError):
        return None
    return None


class Handler(BaseHTTPRequestHandler):
    server_version = "FakePyPI/1.0"
    protocol_version = "HTTP/1.1"
    repo: Repository  # set on the subclass made by main()

    # --- plumbing -------------------------------------------------------------------------

    def log_message(self, format: str, *args) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
        self._handle(head=False)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def _send(
        self,
        status: int,
        body: bytes = b"",
        *,
        content_type: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
        head: bool = False,
    ) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and status != 304:
            self.wfile.write(body)

    def _not_modified(self, etag: str, last_modified: int) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [t.strip() for t in if_none_match.split(",")]
            return "*" in tags or etag in [t.removeprefix("W/") for t in tags]
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                since = email.utils.parsedate_to_datetime(if_modified_since).timestamp()
            except (TypeError, ValueError):
                return False
            return last_modified <= since
        return False

    def _handle(self, *, head: bool) -> None:
        path = urlsplit(self.path).path
        self.repo.log(
            {
                "method": self.command,
                "path": self.path,
                "accept": self.headers.get("Accept"),
                "if-none-match": self.headers.get("If-None-Match"),
                "if-modified-since": self.headers.get("If-Modified-Since"),
                "authorization": self.headers.get("Authorization"),
                "user-agent": self.headers.get("User-Agent"),
                "time": time.time(),
            }
        )
        delay = self.repo.knob_for("delay", path)
        if delay:
            time.sleep(float(delay))
        status = self.repo.knob_for("status", path)
        if status:
            self._send(int(status), f"fake PyPI: status knob {status}\n".encode(), head=head)
            return
        parts = [unquote(p) for p in path.split("/")]
        # "/simple/x/" -> ["", "simple", "x", ""]
        if parts[:2] == ["", "simple"]:
            if len(parts) == 2:
                self._redirect("/simple/", head)
            elif len(parts) == 3 and parts[2] == "":
                self._index(head)
            elif len(parts) == 3:
                self._redirect(f"/simple/{quote(parts[2])}/", head)
            elif len(parts) == 4 and parts[3] == "":
                self._project(parts[2], head)
            else:
                self._send(404, b"Not Found\n", head=head)
        elif parts[:2] == ["", "packages"] and len(parts) == 4:
            self._file(parts[2], parts[3], head)
        else:
            self._send(404, b"Not Found\n", head=head)

    def _redirect(self, location: str, head: bool) -> None:
        self._send(301, b"", headers={"Location": location}, head=head)

    # --- pages ----------------------------------------------------------------------------

    def _format(self) -> str | None:
        if self.repo.knob("html-only") is not None:
            return TEXT_HTML
        return negotiate(self.headers.get("Accept"))

    def _page(self, fmt: str, body: bytes, last_modified: int, head: bool) -> None:
        etag = '"' + hashlib.sha256(fmt.encode() + b"\0" + body).hexdigest()[:32] + '"'
        headers = {
            "ETag": etag,
            "Last-Modified": http_date(last_modified),
            "Vary": "Accept",
            "Cache-Control": "max-age=600, public",
            "X-PyPI-Last-Serial": str(last_modified),
        }
        if self._not_modified(etag, last_modified):
            self._send(304, headers=headers, head=head)
            return
        content_type = fmt if fmt == JSON_V1 else f"{fmt}; charset=utf-8"
        self._send(200, body, content_type=content_type, headers=headers, head=head)

    def _index(self, head: bool) -> None:
        fmt = self._format()
        if fmt is None:
            self._send(406, b"Not Acceptable\n", head=head)
            return
        projects = self.repo.projects()
        stamps = [self.repo.last_modified(name) for name in projects]
        last_modified = max(stamps, default=0)
        if fmt == JSON_V1:
            data = {
                "meta": {"api-version": API_VERSION, "_last-serial": last_modified},
                "projects": [
                    {"name": name, "_last-serial": s}
                    for name, s in zip(projects, stamps, strict=True)
                ],
            }
            body = json.dumps(data).encode()
        else:
            links = "".join(f'    <a href="{quote(n)}/">{html.escape(n)}</a>\n' for n in projects)
            body = _html("Simple index", links).encode()
        self._page(fmt, body, last_modified, head)

    def _project(self, raw_name: str, head: bool) -> None:
        name = normalize(raw_name)
        if name != raw_name:
            self._redirect(f"/simple/{quote(name)}/", head)
            return
        if self.repo.project_dir(name) is None:
            self._send(404, b"Not Found\n", head=head)
            return
        fmt = self._format()
        if fmt is None:
            self._send(406, b"Not Acceptable\n", head=head)
            return
        files = self.repo.files(name)
        last_modified = self.repo.last_modified(name)
        if self.repo.knob("relative-urls") is not None:
            base = f"../../packages/{quote(name)}/"
        else:
            host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
            base = f"http://{host}/packages/{quote(name)}/"
        if fmt == JSON_V1:
            body = json.dumps(_json_page(name, files, base, last_modified)).encode()
        else:
            body = _html_page(name, files, base).encode()
        self._page(fmt, body, last_modified, head)

    # --- files ----------------------------------------------------------------------------

    def _file(self, raw_name: str, filename: str, head: bool) -> None:
        name = normalize(raw_name)
        directory = self.repo.project_dir(name)
        path = directory / filename if directory is not None else None
        if (
            path is None
            or "/" in filename
            or filename.startswith(".")
            or not filename.endswith((*DIST_SUFFIXES, ".metadata"))
            or not path.is_file()
        ):
            self._send(404, b"Not Found\n", head=head)
            return
        real = path.read_bytes()
        tampered = self.repo.tampered(filename)
        data = tampered if tampered is not None else real
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        last_modified = int(path.stat().st_mtime)
        headers = {"ETag": etag, "Last-Modified": http_date(last_modified)}
        if self._not_modified(etag, last_modified):
            self._send(304, headers=headers, head=head)
            return
        content_type = (
            "text/plain; charset=utf-8"
            if filename.endswith(".metadata")
            else ("application/octet-stream")
        )
        self._send(200, data, content_type=content_type, headers=headers, head=head)


def _versions(files: list[dict]) -> list[str]:
    return sorted({f["version"] for f in files if f["version"]}, key=version_key)


def _json_page(name: str, files: list[dict], base: str, last_serial: int) -> dict:
    entries = []
    for f in files:
        metadata = {"sha256": f["metadata_sha256"]} if f["metadata_sha256"] else False
        entries.append(
            {
                "filename": f["filename"],
                "url": base + quote(f["filename"]),
                "hashes": {"sha256": f["sha256"]},
                "requires-python": f["requires_python"],
                "yanked": f["yanked"],
                "core-metadata": metadata,
                "data-dist-info-metadata": metadata,
                "size": f["size"],
                "upload-time": iso_time(f["mtime"]),
            }
        )
    return {
        "meta": {"api-version": API_VERSION, "_last-serial": last_serial},
        "name": name,
        "versions": _versions(files),
        "files": entries,
    }


def _html(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n'
        f"    <title>{html.escape(title)}</title>\n  </head>\n  <body>\n"
        f"    <h1>{html.escape(title)}</h1>\n{body}  </body>\n</html>\n"
    )


def _html_page(name: str, files: list[dict], base: str) -> str:
    links = []
    for f in files:
        attrs = [f'href="{html.escape(base + quote(f["filename"]))}#sha256={f["sha256"]}"']
        if f["requires_python"]:
            attrs.append(f'data-requires-python="{html.escape(f["requires_python"])}"')
        if f["yanked"] is not False:
            reason = "" if f["yanked"] is True else f["yanked"]
            attrs.append(f'data-yanked="{html.escape(reason)}"')
        if f["metadata_sha256"]:
            value = f"sha256={f['metadata_sha256']}"
            attrs.append(f'data-dist-info-metadata="{value}"')
            attrs.append(f'data-core-metadata="{value}"')
        links.append(f"    <a {' '.join(attrs)}>{html.escape(f['filename'])}</a><br/>\n")
    return _html(f"Links for {name}", "".join(links))


def _exit_at_eof() -> None:
    while sys.stdin.buffer.read(4096):
        pass
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", required=True, type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", type=Path)
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="exit when stdin closes (the parent died): no server outlives its test run",
    )
    args = parser.parse_args(argv)
    if args.exit_with_stdin:
        threading.Thread(target=_exit_at_eof, daemon=True).start()
    root = args.root.resolve()
    (root / CONTROL).mkdir(parents=True, exist_ok=True)
    handler = type("BoundHandler", (Handler,), {"repo": Repository(root)})
    server = ThreadingHTTPServer((args.host, args.port), handler)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file.with_name(args.port_file.name + ".tmp")
        tmp.write_text(f"{port}\n")
        os.replace(tmp, args.port_file)
    print(port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
