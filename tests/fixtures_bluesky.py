"""Pytest fixtures: a real Bluesky server (the reference PDS with an in-memory PLC) on loopback.

Register with ``pytest_plugins = ["fixtures_bluesky"]`` (or ``"tests.fixtures_bluesky"``) in the top-level
conftest. The server is ``tests/pds/start.mjs``; its npm packages are installed by the test script
(``npm ci --prefix tests/pds``), never by the fixture.

Fixtures:
- ``bluesky_pds`` (session): a running server, a :class:`BlueskyServer` (``.url``, ``.create_account()``,
  record/blob readers to assert on what was published).
- ``bluesky_account`` (function): a fresh account on it, a :class:`BlueskyAccount` ``(did, handle, password)``.
- ``bluesky_settings`` (function): ``bot.config.Settings`` pointed at the server with that account.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest

PDS_DIR = Path(__file__).resolve().parent / "pds"
READY_TIMEOUT_SECONDS = 60.0
POST = "app.bsky.feed.post"


class BlueskyAccount(NamedTuple):
    did: str
    handle: str
    password: str


class BlueskyServer:
    """A running PDS; helpers read the repo directly (no AppView here, so no getPosts/getPostThread)."""

    def __init__(self, url: str, plc_url: str, admin_password: str, data_dir: Path, startup_seconds: float):
        self.url = url
        self.plc_url = plc_url
        self.admin_password = admin_password
        self.data_dir = data_dir
        self.startup_seconds = startup_seconds
        self.http = httpx.Client(base_url=url, timeout=20.0)

    def create_account(self, handle: str | None = None, password: str | None = None) -> BlueskyAccount:
        """com.atproto.server.createAccount; ``handle`` must end in ``.test`` (default: a random one)."""
        handle = handle or f"nb{secrets.token_hex(5)}.test"
        password = password or secrets.token_urlsafe(12)
        response = self.http.post(
            "/xrpc/com.atproto.server.createAccount",
            json={"handle": handle, "email": f"{handle}@example.com", "password": password},
        )
        if response.status_code != 200:
            raise AssertionError(f"createAccount {handle} failed: {response.status_code} {response.text}")
        body = response.json()
        return BlueskyAccount(did=body["did"], handle=body["handle"], password=password)

    def get_record(self, did: str, rkey: str, collection: str = POST) -> dict[str, Any] | None:
        """``{"uri", "cid", "value"}`` of one record, or None when the repo has no such record."""
        response = self.http.get(
            "/xrpc/com.atproto.repo.getRecord", params={"repo": did, "collection": collection, "rkey": rkey}
        )
        if response.status_code == 400 and response.json().get("error") == "RecordNotFound":
            return None
        response.raise_for_status()
        return dict(response.json())

    def list_records(self, did: str, collection: str = POST) -> list[dict[str, Any]]:
        """Every record of ``collection`` in the repo, oldest first."""
        records: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"repo": did, "collection": collection, "limit": 100, "reverse": "true"}
            if cursor:
                params["cursor"] = cursor
            response = self.http.get("/xrpc/com.atproto.repo.listRecords", params=params)
            response.raise_for_status()
            body = response.json()
            records.extend(body["records"])
            cursor = body.get("cursor")
            if not cursor or not body["records"]:
                return records

    def get_blob(self, did: str, cid: str) -> bytes:
        response = self.http.get("/xrpc/com.atproto.sync.getBlob", params={"did": did, "cid": cid})
        response.raise_for_status()
        return response.content

    def sessions_created(self, did: str) -> int:
        """How many sessions the PDS has issued for ``did`` (rows in its refresh-token table).

        Every createSession (and every refreshSession) stores one refresh token, so this tells whether a
        client logged in again or reused its saved session.
        """
        db = sqlite3.connect(f"file:{self.data_dir / 'account.sqlite'}?mode=ro", uri=True, timeout=10)
        try:
            (count,) = db.execute("SELECT count(*) FROM refresh_token WHERE did = ?", (did,)).fetchone()
        finally:
            db.close()
        return int(count)

    def close(self) -> None:
        self.http.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _watch_stdout(stream: Any, out: queue.Queue[str]) -> None:
    """Hand over the ready line (JSON with a "pds" key), then keep draining so the server never blocks."""
    announced = False
    for line in stream:
        if not announced and line.startswith("{") and '"pds"' in line:
            out.put(line)
            announced = True
    if not announced:
        out.put("")  # the server exited before it was ready


@pytest.fixture(scope="session")
def bluesky_pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BlueskyServer]:
    """Start ``tests/pds/start.mjs`` once per test session on free loopback ports; stop it at the end."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("the Bluesky test server needs Node.js ≥ 18.7 (`node` is not on PATH)")
    if not (PDS_DIR / "node_modules" / "@atproto" / "pds").is_dir():
        pytest.fail(
            "the Bluesky test server is not installed: run the test script (scripts/test), "
            "which runs `npm ci --prefix tests/pds` (about 2 minutes the first time)"
        )

    data_dir = tmp_path_factory.mktemp("pds-data")
    log_path = data_dir.parent / f"{data_dir.name}.log"
    command = [
        node,
        str(PDS_DIR / "start.mjs"),
        "--pds-port", str(_free_port()),
        "--plc-port", str(_free_port()),
        "--data-dir", str(data_dir),
    ]  # fmt: skip
    started = time.monotonic()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command, cwd=PDS_DIR, stdout=subprocess.PIPE, stderr=log, text=True, env={**os.environ, "LOG_ENABLED": "false"}
        )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_watch_stdout, args=(proc.stdout, lines), daemon=True).start()

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    try:
        line = lines.get(timeout=READY_TIMEOUT_SECONDS)
    except queue.Empty:
        line = ""
    if not line.strip():
        stop()
        tail = log_path.read_text(errors="replace")[-3000:]
        pytest.fail(f"the Bluesky test server did not start within {READY_TIMEOUT_SECONDS:.0f} s; its log:\n{tail}")
    info = json.loads(line)
    server = BlueskyServer(
        url=info["pds"],
        plc_url=info["plc"],
        admin_password=info["admin_password"],
        data_dir=data_dir,
        startup_seconds=time.monotonic() - started,
    )
    try:
        yield server
    finally:
        server.close()
        stop()


@pytest.fixture
def bluesky_account(bluesky_pds: BlueskyServer) -> BlueskyAccount:
    """A fresh account (its own repo) for each test."""
    return bluesky_pds.create_account()


@pytest.fixture
def bluesky_settings(bluesky_pds: BlueskyServer, bluesky_account: BlueskyAccount, tmp_path: Path) -> Any:
    """Settings that publish to Bluesky only, as ``bluesky_account`` on the local server."""
    from pydantic import SecretStr

    from bot.config import Settings

    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        queue_dir=tmp_path / "queue",
        platforms=["bluesky"],
        bluesky_pds_url=bluesky_pds.url,
        bluesky_handle=bluesky_account.handle,
        bluesky_app_password=SecretStr(bluesky_account.password),
    )
