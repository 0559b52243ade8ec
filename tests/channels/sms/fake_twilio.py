"""A local fake of the bits of Twilio's API the SMS channel calls, on 127.0.0.1.

It speaks HTTP like Twilio (Basic auth, form-encoded Messages.json, JSON answers and Twilio's
error body), and can be told to fail: ``script`` is a list of modes used one per request
("ok", "500", "429"); when it runs out, "ok". It also serves MMS media files.
"""

import base64
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str, port: int = 0):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.script: list[str] = []
        self.accepted: list[dict] = []  # messages Twilio "accepted" (answered 201 for)
        self.requests = 0
        self.media: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _authorised(self) -> bool:
                expected = base64.b64encode(
                    f"{fake.account_sid}:{fake.auth_token}".encode()
                ).decode()
                return self.headers.get("Authorization") == f"Basic {expected}"

            def _send(self, status: int, body: bytes, content_type="application/json", **headers):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path = urlparse(self.path).path
                if path not in fake.media:
                    return self._send(404, b"{}")
                if not self._authorised():
                    return self._send(401, b'{"code": 20003}')
                content, content_type = fake.media[path]
                self._send(200, content, content_type)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with fake._lock:
                    fake.requests += 1
                    mode = fake.script.pop(0) if fake.script else "ok"
                if not self.path.endswith(f"/Accounts/{fake.account_sid}/Messages.json"):
                    return self._send(404, b'{"code": 20404, "status": 404}')
                if not self._authorised():
                    return self._send(
                        401, b'{"code": 20003, "message": "Authenticate", "status": 401}'
                    )
                if mode == "500":
                    return self._send(
                        500, b'{"code": 20500, "message": "Internal Server Error", "status": 500}'
                    )
                if mode == "429":
                    return self._send(
                        429,
                        b'{"code": 20429, "message": "Too Many Requests", "status": 429}',
                        Retry_After="120",
                    )
                if form.get("To") == "+447700900000":
                    body = {
                        "code": 21211,
                        "message": "The 'To' number is not valid.",
                        "status": 400,
                    }
                    return self._send(400, json.dumps(body).encode())
                sid = "SM" + secrets.token_hex(16)
                with fake._lock:
                    fake.accepted.append({"sid": sid, **form})
                body = {
                    "sid": sid,
                    "account_sid": fake.account_sid,
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "body": form.get("Body"),
                    "status": "queued",
                    "num_segments": "1",
                    "direction": "outbound-api",
                    "api_version": "2010-04-01",
                    "uri": f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{sid}.json",
                }
                self._send(201, json.dumps(body).encode())

        # Not bound yet: until ``start`` nothing listens and connections are refused.
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler, bind_and_activate=False)
        self.server.allow_reuse_address = True
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeTwilio":
        self.server.server_bind()
        self.server.server_activate()
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
