"""A local fake of the bits of Twilio's API the SMS channel calls, on 127.0.0.1.

It speaks HTTP like Twilio (Basic auth, form-encoded Messages.json, JSON answers and Twilio's
error body), and can be told to fail: ``script`` is a list of modes used one per request
("ok", "500", "429"); when it runs out, "ok". It also serves MMS media files, and keeps a
message log (``receive`` adds an inbound text to it, and every text it accepts goes in as
"outbound-api") listed by ``GET Messages.json`` with Twilio's ``To``, ``From`` and
``DateSent>`` filters, paging and media lists.
"""

import base64
import datetime
import email.utils
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str, port: int = 0):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.script: list[str] = []
        self.accepted: list[dict] = []  # messages Twilio "accepted" (answered 201 for)
        self.requests = 0
        self.media: dict[str, tuple[bytes, str]] = {}
        self.log: list[dict] = []  # Twilio's message log, as the API returns it
        self.page_size_cap = 50
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
                url = urlparse(self.path)
                path = url.path
                account = f"/2010-04-01/Accounts/{fake.account_sid}/Messages"
                if path == account + ".json" or (
                    path.startswith(account + "/") and path.endswith("/Media.json")
                ):
                    with fake._lock:
                        fake.requests += 1
                        mode = fake.script.pop(0) if fake.script else "ok"
                    if not self._authorised():
                        return self._send(401, b'{"code": 20003, "status": 401}')
                    if mode == "500":
                        return self._send(500, b'{"code": 20500, "status": 500}')
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    if path.endswith("/Media.json"):
                        return self._send(200, fake._media_page(path))
                    return self._send(200, fake._log_page(path, query))
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
                now = email.utils.format_datetime(datetime.datetime.now(datetime.UTC))
                with fake._lock:
                    fake.accepted.append({"sid": sid, **form})
                    fake.log.append(
                        {
                            "sid": sid,
                            "account_sid": fake.account_sid,
                            "from": form.get("From"),
                            "to": form.get("To"),
                            "body": form.get("Body"),
                            "num_media": "0",
                            "num_segments": "1",
                            "direction": "outbound-api",
                            "status": "sent",
                            "date_sent": now,
                            "date_created": now,
                            "api_version": "2010-04-01",
                            "uri": f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{sid}.json",
                            "media": [],
                        }
                    )
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

    def receive(
        self,
        sender: str,
        to: str,
        body: str,
        *,
        at: datetime.datetime,
        media: list[tuple[bytes, str]] = (),
    ) -> str:
        """An inbound text Twilio took and logged (whether or not our webhook heard of it)."""
        sid = ("MM" if media else "SM") + secrets.token_hex(16)
        base = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}"
        items = []
        for content, content_type in media:
            media_sid = "ME" + secrets.token_hex(16)
            self.media[f"{base}/Media/{media_sid}"] = (content, content_type)
            items.append({"sid": media_sid, "content_type": content_type})
        self.log.append(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "from": sender,
                "to": to,
                "body": body,
                "num_media": str(len(media)),
                "num_segments": "1",
                "direction": "inbound",
                "status": "received",
                "date_sent": email.utils.format_datetime(at.astimezone(datetime.UTC)),
                "date_created": email.utils.format_datetime(at.astimezone(datetime.UTC)),
                "api_version": "2010-04-01",
                "uri": f"{base}.json",
                "media": items,
            }
        )
        return sid

    def _log_page(self, path: str, query: dict) -> bytes:
        rows = [m for m in self.log if not query.get("To") or m["to"] == query["To"]]
        rows = [m for m in rows if not query.get("From") or m["from"] == query["From"]]
        after = query.get("DateSent>")
        if after:
            moment = datetime.datetime.strptime(after, "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.UTC
            )
            rows = [m for m in rows if email.utils.parsedate_to_datetime(m["date_sent"]) >= moment]
        rows.sort(key=lambda m: email.utils.parsedate_to_datetime(m["date_sent"]), reverse=True)
        size = min(int(query.get("PageSize") or 50), self.page_size_cap)
        page = int(query.get("Page") or 0)
        chunk = rows[page * size : (page + 1) * size]
        more = (page + 1) * size < len(rows)
        next_query = urlencode({**query, "Page": page + 1, "PageSize": size})
        payload = {
            "messages": [{k: v for k, v in m.items() if k != "media"} for m in chunk],
            "page": page,
            "page_size": size,
            "start": page * size,
            "end": page * size + max(len(chunk) - 1, 0),
            "uri": path,
            "first_page_uri": path,
            "previous_page_uri": None,
            "next_page_uri": f"{path}?{next_query}" if more else None,
        }
        return json.dumps(payload).encode()

    def _media_page(self, path: str) -> bytes:
        message_uri = path.removesuffix("/Media.json")
        sid = message_uri.rsplit("/", 1)[-1]
        found = next((m for m in self.log if m["sid"] == sid), {"media": []})
        media = [
            {
                "sid": item["sid"],
                "parent_sid": sid,
                "account_sid": self.account_sid,
                "content_type": item["content_type"],
                "uri": f"{message_uri}/Media/{item['sid']}.json",
            }
            for item in found["media"]
        ]
        payload = {
            "media_list": media,
            "page": 0,
            "page_size": 50,
            "start": 0,
            "end": max(len(media) - 1, 0),
            "uri": path,
            "first_page_uri": path,
            "previous_page_uri": None,
            "next_page_uri": None,
        }
        return json.dumps(payload).encode()

    def start(self) -> "FakeTwilio":
        self.server.server_bind()
        self.server.server_activate()
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
