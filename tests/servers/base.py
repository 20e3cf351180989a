"""A small threaded HTTP server on 127.0.0.1 with injectable faults, shared by the fake X and Mastodon.

Subclasses implement ``handle(request) -> Reply``; it runs under one lock, so their state needs no
locking of its own. Faults are injected through Python methods on the server object (never over HTTP)
and apply to the next N matching requests:

- ``fail_next(status, ...)``: answer with that status, headers and body instead of handling;
- ``slow_next(seconds, after_processing=True)``: handle the request, then wait before answering
  (a client with a shorter timeout gives up although the post exists: the crash-between-send-and-record case);
- ``reset_next(after_processing=False)``: drop the TCP connection with a RST, before or after handling.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    raw_query: str = ""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def multipart(self) -> dict[str, list[Upload | str]]:
        """Fields of a multipart/form-data body: text fields as str, files as Upload."""
        head = f"Content-Type: {self.headers.get('content-type', '')}\r\n\r\n".encode("latin-1")
        message = BytesParser(policy=HTTP).parsebytes(head + self.body)
        if not message.is_multipart():
            raise ValueError("not a multipart/form-data body")
        fields: dict[str, list[Upload | str]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                raise ValueError("multipart part without a name")
            data = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                value: Upload | str = Upload(filename, part.get_content_type(), data)
            else:
                value = data.decode("utf-8")
            fields.setdefault(name, []).append(value)
        return fields


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-serialisable, or bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    kind: str  # "status" | "slow" | "reset"
    times: int
    only: str | None = None  # "POST /2/tweets" or "/2/tweets" (prefix match on "METHOD path")
    reply: Reply | None = None
    seconds: float = 0.0
    after_processing: bool = False

    def matches(self, method: str, path: str) -> bool:
        if self.only is None:
            return True
        if self.only.startswith("/"):
            return path.startswith(self.only)
        return f"{method} {path}".startswith(self.only)


class _ConnectionReset(Exception):
    pass


class FaultyServer:
    """Base class: start()/stop(), ``url``, request log and fault injection."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._faults: list[Fault] = []
        self.requests: list[Request] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> FaultyServer:
        handler = _make_handler(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FaultyServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        """Forget requests and faults; subclasses also forget their data."""
        with self._lock:
            self._faults.clear()
            self.requests.clear()

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Block until ``predicate()`` holds (checked after every request the server handles).

        For crash tests: inject ``slow_next(30, after_processing=True)``, start the publisher, wait until
        the post exists here, then kill the publisher while it is still waiting for the answer.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True

    # --- fault injection ------------------------------------------------------------------
    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        body: Any = None,
        headers: dict[str, str] | None = None,
        only: str | None = None,
    ) -> None:
        with self._lock:
            self._faults.append(Fault("status", times, only, reply=Reply(status, body, dict(headers or {}))))

    def slow_next(
        self, seconds: float, *, times: int = 1, after_processing: bool = True, only: str | None = None
    ) -> None:
        with self._lock:
            self._faults.append(Fault("slow", times, only, seconds=seconds, after_processing=after_processing))

    def reset_next(self, *, times: int = 1, after_processing: bool = False, only: str | None = None) -> None:
        with self._lock:
            self._faults.append(Fault("reset", times, only, after_processing=after_processing))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.times > 0 and fault.matches(method, path):
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None

    # --- subclass API ---------------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def decorate(self, request: Request, reply: Reply) -> None:
        """Add headers every response carries (rate-limit counters); called under the lock."""

    # --- dispatch (called from handler threads) -------------------------------------------
    def _dispatch(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            fault = self._take_fault(request.method, request.path)
            if fault is not None and not fault.after_processing:
                if fault.kind == "reset":
                    raise _ConnectionReset
                if fault.kind == "status":
                    assert fault.reply is not None
                    reply = Reply(fault.reply.status, fault.reply.body, dict(fault.reply.headers))
                    self.decorate(request, reply)
                    reply.headers.update(fault.reply.headers)
                    return reply
            reply = self.handle(request)
            self.decorate(request, reply)
            self._changed.notify_all()
        if fault is not None:
            if fault.kind == "slow":
                time.sleep(fault.seconds)
            elif fault.kind == "reset":  # after processing: the work is done, the answer is lost
                raise _ConnectionReset
        return reply


def _make_handler(server: FaultyServer) -> Callable[..., BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like the real services

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                raw_query=parts.query,
            )
            try:
                reply = server._dispatch(request)
            except _ConnectionReset:
                # SO_LINGER 0 makes close() send a RST: the client sees "connection reset by peer".
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            except Exception as exc:  # a bug in the fake: make it loud, not a hang
                reply = Reply(599, {"fake_server_error": f"{type(exc).__name__}: {exc}"})
            if isinstance(reply.body, bytes | bytearray):
                payload = bytes(reply.body)
                ctype = reply.headers.pop("content-type", "application/octet-stream")
            elif reply.body is None:
                payload = b""
                ctype = reply.headers.pop("content-type", "application/json; charset=utf-8")
            else:
                payload = json.dumps(reply.body).encode("utf-8")
                ctype = reply.headers.pop("content-type", "application/json; charset=utf-8")
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test): fine
                self.close_connection = True

        def finish(self) -> None:
            try:
                super().finish()
            except OSError:
                pass

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    return Handler
