"""media_url pictures, fetched by the worker from allowed hosts only.

A real HTTPS server on 127.0.0.1 (a certificate made for the test, trusted through
REQUESTS_CA_BUNDLE) serves a picture, a web page pretending to be one, a redirect to another
host and a file too large; the task fetches, judges with the one attachment policy and records
each outcome on the timeline.
"""

import datetime
import http.server
import io
import ipaddress
import json
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image

from channels.open311.tasks import fetch_media
from services.models import Case, EventKind


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        port = self.server.server_address[1]
        if self.path == "/photo.png":
            self.answer(200, png(), "image/png")
        elif self.path == "/same-host":
            self.send_response(302)
            self.send_header("Location", "/photo.png")
            self.end_headers()
        elif self.path == "/away":
            self.send_response(302)
            self.send_header("Location", f"https://127.0.0.1:{port}/photo.png")
            self.end_headers()
        elif self.path == "/page.png":
            self.answer(200, b"<html><script>alert(1)</script></html>", "image/png")
        else:
            self.answer(404, b"no", "text/plain")

    def answer(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def https_server(tmp_path, monkeypatch):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_file))
    yield f"https://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_pictures_from_allowed_hosts_only(post_request, settings, https_server):
    settings.OPEN311_MEDIA_HOSTS = ["localhost"]
    urls = [
        f"{https_server}/photo.png",
        f"{https_server}/same-host",
        f"{https_server}/away",  # a redirect to 127.0.0.1: another host
        f"{https_server}/page.png",  # a web page called a picture
        "https://evil.example.net/x.png",  # not an allowed host: never fetched
    ]
    response = post_request("json", media_url=urls)
    assert response.status_code == 201
    case = Case.objects.get(reference=json.loads(response.content)[0]["service_request_id"])
    message = case.messages.get()

    assert fetch_media.call(message.pk) == 2
    assert [a.content_type for a in case.attachments.all()] == ["image/png", "image/png"]
    media = case.messages.get().metadata["media"]
    assert "redirected to another host" in media[2]["error"]
    assert media[3]["refused"]
    assert "not an allowed media address" in media[4]["error"]
    notes = list(case.timeline.filter(kind=EventKind.ATTACHMENT).values_list("body", flat=True))
    assert len(notes) == 5

    # Idempotent: stored and refused media are not fetched again.
    assert fetch_media.call(message.pk) == 0
    assert case.attachments.count() == 2


def test_without_allowed_hosts_nothing_is_fetched(post_request, settings, https_server):
    settings.OPEN311_MEDIA_HOSTS = []
    response = post_request("json", media_url=f"{https_server}/photo.png")
    case = Case.objects.get(reference=json.loads(response.content)[0]["service_request_id"])
    assert fetch_media.call(case.messages.get().pk) == 0
    assert case.attachments.count() == 0
