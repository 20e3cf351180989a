"""`.env.example` documents every setting, each with a comment, and parses as valid settings."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import _CREDENTIAL_ENV, Settings, load_settings

EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"


def _names() -> list[str]:
    return re.findall(r"^#?([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text(), flags=re.M)


def test_every_setting_is_documented() -> None:
    documented = set(_names())
    for field in Settings.model_fields:
        name = _CREDENTIAL_ENV.get(field, f"NEWSBOT_{field.upper()}")
        assert name in documented, f"{name} is missing from .env.example"


def test_every_documented_setting_has_a_comment_line_above_it() -> None:
    lines = EXAMPLE.read_text().splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^#?[A-Z][A-Z0-9_]+=", line):
            above = lines[i - 1]
            assert above.startswith("#"), f"no comment above {line!r}"


def test_the_example_is_valid_as_it_stands() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.timezone == "Europe/Kyiv"
    assert settings.enabled_platforms == []
