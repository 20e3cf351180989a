"""A local HTTP server for feed and page tests: stdlib http.server on 127.0.0.1 in a thread.

Tests put resources on it by path (``server.put("/feed.xml", body, content_type=...)``), each served with an
ETag and Last-Modified and answering conditional requests with 304; or routes that redirect, fail with a
status, or send more bytes than asked. Every request is recorded (path and headers) for assertions.

Use the ``http_server`` fixture (list this module in ``pytest_plugins``, or import the fixture).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FEED_DATA = Path(__file__).parent / "data" / "feeds"


@dataclass
class Resource:
    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = True  # answer If-None-Match / If-Modified-Since with 304
    redirect_to: str | None = None
    lie_length: bool = False  # omit Content-Length and stream the body (for the size cap's streaming check)


@dataclass
class Request:
    path: str
    headers: dict[str, str]


class LocalServer:
    def __init__(self) -> None:
        self.resources: dict[str, Resource] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._version = 0
        handler = _make_handler(self)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def put(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = "application/rss+xml; charset=utf-8",
        status: int = 200,
        conditional: bool = True,
        headers: dict[str, str] | None = None,
        lie_length: bool = False,
    ) -> Resource:
        """Serve ``body`` at ``path``; a new body gets a new ETag and Last-Modified."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self._version += 1
            resource = Resource(
                body=data,
                content_type=content_type,
                status=status,
                etag='"' + hashlib.sha1(data).hexdigest()[:16] + '"',
                last_modified=formatdate(1_700_000_000 + self._version, usegmt=True),
                headers=dict(headers or {}),
                conditional=conditional,
                lie_length=lie_length,
            )
            self.resources[path] = resource
        return resource

    def put_file(self, path: str, file: Path | str, **kwargs: object) -> Resource:
        """Serve a file (a bare name means one in tests/data/feeds/) with ``{{BASE}}`` replaced by ``self.base``."""
        file = FEED_DATA / file if isinstance(file, str) else file
        body = file.read_bytes().replace(b"{{BASE}}", self.base.encode())
        if "content_type" not in kwargs and file.suffix == ".html":
            kwargs["content_type"] = "text/html; charset=utf-8"
        return self.put(path, body, **kwargs)  # type: ignore[arg-type]

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        with self._lock:
            self.resources[path] = Resource(body=b"", status=status, redirect_to=to)

    def fail(self, path: str, status: int, body: str = "", headers: dict[str, str] | None = None) -> None:
        with self._lock:
            self.resources[path] = Resource(
                body=body.encode(), content_type="text/plain", status=status, headers=dict(headers or {})
            )

    def remove(self, path: str) -> None:
        with self._lock:
            self.resources.pop(path, None)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _make_handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path
            server.requests.append(Request(path, {k.lower(): v for k, v in self.headers.items()}))
            lookup = path.split("?", 1)[0] if path.split("?", 1)[0] in server.resources else path
            resource = server.resources.get(path) or server.resources.get(lookup)
            if resource is None:
                self._send(404, b"not found", "text/plain")
                return
            if resource.redirect_to is not None:
                self.send_response(resource.status)
                self.send_header("Location", resource.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if resource.status != 200:
                self._send(resource.status, resource.body, resource.content_type, resource.headers)
                return
            if resource.conditional and self._fresh(resource):
                self.send_response(304)
                self.send_header("ETag", resource.etag or "")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            extra = dict(resource.headers)
            if resource.etag:
                extra["ETag"] = resource.etag
            if resource.last_modified:
                extra["Last-Modified"] = resource.last_modified
            if resource.lie_length:
                self.send_response(200)
                self.send_header("Content-Type", resource.content_type)
                self.send_header("Connection", "close")
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(resource.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
                return
            self._send(200, resource.body, resource.content_type, extra)

        def _fresh(self, resource: Resource) -> bool:
            inm = self.headers.get("If-None-Match")
            if inm is not None:
                return inm.strip() == resource.etag
            ims = self.headers.get("If-Modified-Since")
            return ims is not None and ims.strip() == resource.last_modified

        def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    server = LocalServer()
    server.start()
    yield server
    server.stop()
