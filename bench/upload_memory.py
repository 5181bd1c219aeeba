"""DESIGN 8: upload and download memory stay flat in the file size. Prints figures.

    .venv/bin/python bench/upload_memory.py --sizes 10 100 400

Starts gunicorn (one sync worker, embedded defaults in a temporary data directory), uploads
wheels of the given sizes in MiB with twine, downloads each back, and reads the worker's peak
resident memory (VmHWM) after each step. The wheels hold incompressible bytes, stored, and
are written to disk in chunks so the benchmark itself stays small too.
"""

import argparse
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHUNK = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_wheel(directory: Path, version: str, size_mib: int) -> Path:
    name = "memory_probe"
    path = directory / f"{name}-{version}-py3-none-any.whl"
    dist_info = f"{name}-{version}.dist-info"
    record = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        digest = hashlib.sha256()
        with zf.open(f"{name}/blob.bin", "w", force_zip64=True) as out:
            for _ in range(size_mib):
                chunk = os.urandom(CHUNK)
                digest.update(chunk)
                out.write(chunk)
        record.append(f"{name}/blob.bin,sha256={digest.hexdigest()},{size_mib * CHUNK}")
        files = {
            f"{name}/__init__.py": b"",
            f"{dist_info}/METADATA": (
                f"Metadata-Version: 2.1\nName: memory-probe\nVersion: {version}\n"
            ).encode(),
            f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n",
        }
        for member, data in files.items():
            zf.writestr(member, data)
            record.append(f"{member},,{len(data)}")
        record.append(f"{dist_info}/RECORD,,")
        zf.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return path


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 400])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        env = {
            **os.environ,
            "PRIVINDEX_DATA_DIR": str(tmp_path / "data"),
            "PRIVINDEX_FILE_SIZE_LIMIT": str(1024**3),
            "PRIVINDEX_MAX_FILE_SIZE": str(2 * 1024**3),
        }
        env.pop("DATABASE_URL", None)
        env.pop("CELERY_BROKER_URL", None)

        def manage(*argv: str) -> str:
            return subprocess.run(
                [BIN / "python", "manage.py", *argv], cwd=ROOT, env=env, check=True,
                capture_output=True, text=True,
            ).stdout.strip()  # fmt: skip

        manage("migrate", "-v0")
        manage("createuser", "bench", "--email", "bench@example.org")
        token = manage("createtoken", "bench", "--scope", "upload", "--scope", "read")
        port = free_port()
        server = subprocess.Popen(
            [BIN / "gunicorn", "privindex.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--timeout", "600"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            worker = worker_pid(server.pid)
            print(f"worker peak RSS after start: {peak_rss_mib(worker):7.1f} MiB")
            print(f"{'file MiB':>9} {'upload s':>9} {'peak after upload':>18} "
                  f"{'download s':>11} {'peak after download':>20}")  # fmt: skip
            for n, size in enumerate(args.sizes):
                wheel = write_wheel(tmp_path, f"1.{n}", size)
                start = time.perf_counter()
                result = subprocess.run(
                    [BIN / "twine", "upload", "--non-interactive", "--disable-progress-bar",
                     "--repository-url", f"{base}/legacy/", "-u", "__token__", "-p", token,
                     wheel],
                    capture_output=True, text=True,
                    env={**env, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
                )  # fmt: skip
                if result.returncode:
                    raise SystemExit(f"upload failed:\n{result.stdout}{result.stderr}")
                upload_s = time.perf_counter() - start
                after_upload = peak_rss_mib(worker)
                blake = hashlib.blake2b(digest_size=32)
                with wheel.open("rb") as fh:
                    for chunk in iter(lambda fh=fh: fh.read(CHUNK), b""):
                        blake.update(chunk)
                b = blake.hexdigest()
                request = urllib.request.Request(
                    f"{base}/files/{b[:2]}/{b[2:4]}/{b[4:]}/{wheel.name}",
                    headers={"Authorization": f"Bearer {token}"},
                )
                start = time.perf_counter()
                received = hashlib.sha256()
                with urllib.request.urlopen(request, timeout=600) as response:
                    for chunk in iter(lambda response=response: response.read(CHUNK), b""):
                        received.update(chunk)
                download_s = time.perf_counter() - start
                with wheel.open("rb") as fh:
                    expected = hashlib.file_digest(fh, "sha256").hexdigest()
                if received.hexdigest() != expected:
                    raise SystemExit("downloaded bytes differ from the upload")
                print(f"{size:9d} {upload_s:9.1f} {after_upload:14.1f} MiB "
                      f"{download_s:11.1f} {peak_rss_mib(worker):16.1f} MiB")  # fmt: skip
                wheel.unlink()
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
