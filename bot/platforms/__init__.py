"""Platform adapters, registered in a plain dict. Modules are imported only when a platform is used."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import Settings
    from .base import KeyValue, Platform

# name -> "module:Class"; importing lazily keeps `newsbot preview` free of tweepy/atproto.
REGISTRY: dict[str, str] = {
    "x": "bot.platforms.x:XPlatform",
    "bluesky": "bot.platforms.bluesky:BlueskyPlatform",
    "mastodon": "bot.platforms.mastodon:MastodonPlatform",
}


def get_platform(name: str, settings: Settings, state: KeyValue) -> Platform:
    """Build the adapter for ``name`` from settings; ``state`` persists sessions and cached limits."""
    try:
        target = REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown platform {name!r}; choose from {', '.join(REGISTRY)}") from None
    missing = settings.missing_credentials(name)
    if missing:
        raise ConfigError(f"{name} is not configured: set {' and '.join(missing)} in .env")
    module_name, class_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(settings, state)
