"""Upstream settings checked at start, and an upstream behind an internal CA (issue 8)."""

import datetime as dt
import http.server
import ipaddress
import json
import os
import ssl
import subprocess
import sys
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from upstream import client
from upstream.client import UpstreamError
from upstream.models import Upstream


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PRIVINDEX_UPSTREAM_URL": "http://u:p@127.0.0.1:99999/simple/"}, "Port out of range"),
        ({"PRIVINDEX_UPSTREAM_URL": "ftp://mirror.example/simple/"}, "must be an http(s) URL"),
        ({"PRIVINDEX_UPSTREAM_CA_BUNDLE": "/nonexistent/ca.pem"}, "no such file"),
    ],
)
def test_bad_upstream_settings_stop_the_start(tmp_path, env, message):
    proc = subprocess.run(
        [sys.executable, "-c", "import privindex.settings"],
        env={**os.environ, "PRIVINDEX_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert message in proc.stderr


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "internal mirror")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "ca.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"meta": {"api-version": "1.1"}, "name": "demo", "files": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def internal_mirror(tmp_path):
    cert, key = _self_signed(tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/simple/", cert
    server.shutdown()
    server.server_close()


def test_an_upstream_signed_by_an_internal_ca_needs_its_bundle(internal_mirror, settings):
    url, cert = internal_mirror
    upstream = Upstream(name="mirror", url=url)
    with pytest.raises(UpstreamError) as refused:
        client.fetch_page(upstream, "demo")
    assert refused.value.status == 502
    settings.PRIVINDEX_UPSTREAM_CA_BUNDLE = str(cert)
    assert client.fetch_page(upstream, "demo").data == {
        "format": "json", "versions": [], "status": None, "files": [],
    }  # fmt: skip
