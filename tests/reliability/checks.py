"""The exactly-once check shared by the crash and fault tests: the outbox against what the servers hold."""

from __future__ import annotations

from collections import Counter
from typing import Any


def assert_exactly_once(rows: list[dict[str, Any]], remote: dict[str, list[tuple[str, str]]]) -> None:
    """Every outbox row is sent and is on its platform exactly once; no platform holds anything else."""
    not_sent = [(r["id"], r["platform"], r["state"], r["last_error"]) for r in rows if r["state"] != "sent"]
    assert not not_sent, f"posts not sent: {not_sent[:10]}"
    for platform, posts in remote.items():
        mine = [r for r in rows if r["platform"] == platform]
        ids = Counter(remote_id for remote_id, _ in posts)
        texts = Counter(text for _, text in posts)
        duplicated = [t for t, n in texts.items() if n > 1]
        assert not duplicated, f"{platform}: {len(duplicated)} post(s) published more than once, e.g. {duplicated[0]!r}"
        missing = [r["id"] for r in mine if ids[r["remote_id"]] != 1]
        assert not missing, f"{platform}: outbox rows whose remote post is missing: {missing[:10]}"
        extra = sorted(set(ids) - {r["remote_id"] for r in mine})
        assert not extra, f"{platform}: {len(extra)} remote post(s) no outbox row accounts for: {extra[:5]}"
        assert Counter(r["text"] for r in mine) == texts, f"{platform}: remote texts differ from the outbox"
