"""A publisher process killed between send and record: the post exists remotely, nothing recorded it.

``kill_after_send`` starts ``newsbot``'s adapter in a subprocess (``get_platform`` + ``publish``, with the
platform's settings passed as environment variables), lets the server accept the post but hold the
answer, and SIGKILLs the subprocess once the server has the post. The caller then checks that
reconciliation finds exactly that one post.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .base import FaultyServer

PUBLISHER = """
import sys
from bot.config import Settings
from bot.models import Part
from bot.platforms import get_platform

class State(dict):
    def set(self, key, value):
        self[key] = value

adapter = get_platform(sys.argv[1], Settings(_env_file=None), State())
adapter.publish(Part(text=sys.argv[2], length=len(sys.argv[2]), limit=500), prepared={"idempotency_key": sys.argv[3]})
print("recorded")  # never reached: killed while waiting for the answer
"""


def kill_after_send(
    platform: str, text: str, key: str, env: dict[str, str], server: FaultyServer, posted: Callable[[], bool]
) -> None:
    """Start a publisher, let the server take the post but hold the answer, SIGKILL the publisher."""
    server.slow_next(60, after_processing=True)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("X_", "MASTODON_", "BLUESKY_", "NEWSBOT_"))}
    proc = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, platform, text, key],
        env={**clean, **env, "NEWSBOT_HTTP_TIMEOUT_SECONDS": "120"},
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
    )
    try:
        assert server.wait_until(posted, timeout=60), "the publisher never reached the server"
    finally:
        proc.kill()
        out, _ = proc.communicate(timeout=30)
    assert out == b"" and proc.returncode == -9
    server.clear_faults()
