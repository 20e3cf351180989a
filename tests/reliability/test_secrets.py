"""Every credential is a recognisable fake secret (``FAKESECRET-…``, conftest.py): none may appear in any log
line, preview, command output, error message or database row — even when a platform echoes it back in an
error, as misconfigured proxies and some APIs do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from articles import write_articles
from world import BLUESKY_PASSWORD, MASTODON_TOKEN, X_CREDENTIALS, World, leaked
from proxy import PdsProxy

pytestmark = [pytest.mark.reliability, pytest.mark.servers]


@pytest.fixture
def pds_proxy(bluesky_pds: Any) -> Iterator[PdsProxy]:
    proxy = PdsProxy(bluesky_pds.url).start()
    yield proxy  # type: ignore[misc]
    proxy.stop()


def _outputs(world: World, *commands: tuple[str, ...], **env: str) -> dict[str, str]:
    """stdout + stderr of each command, by its command line."""
    out = {}
    for args in commands:
        done = world.newsbot(*args, **env)
        out[" ".join(args)] = done.stdout + done.stderr
    return out


def _assert_nothing_leaked(world: World, outputs: dict[str, str], *files: Path) -> None:
    for where, text in outputs.items():
        assert not leaked(text), f"`newsbot {where}` printed a secret: {leaked(text)}"
    for file in files:
        assert not leaked(file.read_text(encoding="utf-8", errors="replace")), f"{file.name} holds a secret"
    dump = world.dump_database()
    assert not leaked(dump), f"the database holds a secret: {leaked(dump)}"


def test_no_secret_in_previews_doctor_run_status_or_the_database(world: World) -> None:
    write_articles(world.queue, 0, 2)
    html = world.tmp / "preview.html"
    outputs = _outputs(
        world,
        ("preview",), ("preview", "--json"), ("preview", "--html", str(html)),
        ("doctor",), ("run", "--once", "--log-json"), ("run", "--once"), ("status",), ("status", "--json"),
        ("history",), ("history", "--json"), ("queue", "--json"),
    )
    assert "BREAKING" in outputs["preview"] and html.exists()
    assert '"event": "sent"' in outputs["run --once --log-json"], outputs["run --once --log-json"][-2000:]
    _assert_nothing_leaked(world, outputs, html)


def test_secrets_a_failing_platform_echoes_back_stay_hidden(world: World, pds_proxy: PdsProxy) -> None:
    """Each platform refuses the posts with an error that quotes the credential it was sent."""
    write_articles(world.queue, 0, 2)
    world.x.fail_next(401, times=50, only="POST /2/tweets", body={
        "title": "Unauthorized", "type": "about:blank", "status": 401,
        "detail": f"Unauthorized: token {X_CREDENTIALS.access_token} secret {X_CREDENTIALS.consumer_secret}"})
    world.mastodon.fail_next(422, times=50, only="POST /api/v1/statuses",
                             body={"error": f"Validation failed: token {MASTODON_TOKEN} is not allowed to post"})
    pds_proxy.fail_next(400, times=50, only="POST /xrpc/com.atproto.repo.createRecord",
                        body={"error": "InvalidRequest", "message": f"bad credentials {BLUESKY_PASSWORD}"})
    world.x.fail_next(401, times=50, only="GET /2/users/me", body={
        "title": "Unauthorized", "type": "about:blank", "status": 401,
        "detail": f"Unauthorized: consumer key {X_CREDENTIALS.consumer_key}"})
    world.mastodon.fail_next(401, times=50, only="GET /api/v1/accounts/verify_credentials",
                             body={"error": f"The access token {MASTODON_TOKEN} is invalid"})
    pds_proxy.fail_next(401, times=50, only="GET /xrpc/com.atproto.server.getSession",
                        body={"error": "AuthenticationRequired", "message": f"password {BLUESKY_PASSWORD} expired"})
    outputs = _outputs(
        world,
        ("run", "--once", "--log-json"), ("run", "--once"), ("status",), ("status", "--json"), ("history", "--json"),
        ("doctor",), ("doctor", "--json"), ("--debug", "doctor"),
        BLUESKY_PDS_URL=pds_proxy.url,
    )
    assert "401" in outputs["doctor"] or "rejected" in outputs["doctor"], outputs["doctor"]
    heads = [r for r in world.rows() if r["thread_index"] == 0]  # replies wait for a parent that never went out
    assert heads and all(r["state"] == "failed" and r["last_error"] for r in heads), [(r["platform"], r["state"]) for r in heads]
    _assert_nothing_leaked(world, outputs)
