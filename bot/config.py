"""Settings: read once, at the edge (the CLI), from the environment and ``.env``; passed in everywhere else.

General settings are prefixed ``NEWSBOT_``; platform credentials keep their conventional names
(``X_ACCESS_TOKEN``, ``BLUESKY_APP_PASSWORD``, ``MASTODON_ACCESS_TOKEN`` …). Every credential is a
``SecretStr`` so it never shows up in a repr, a log line or a preview.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from .errors import ConfigError

PLATFORMS = ("x", "bluesky", "mastodon")

# The environment variable behind each credential field (the field name is the lower-case form).
_CREDENTIAL_ENV = {
    "x_consumer_key": "X_CONSUMER_KEY",
    "x_consumer_secret": "X_CONSUMER_SECRET",
    "x_access_token": "X_ACCESS_TOKEN",
    "x_access_token_secret": "X_ACCESS_TOKEN_SECRET",
    "x_bearer_token": "X_BEARER_TOKEN",
    "x_api_base_url": "X_API_BASE_URL",
    "bluesky_handle": "BLUESKY_HANDLE",
    "bluesky_app_password": "BLUESKY_APP_PASSWORD",
    "bluesky_pds_url": "BLUESKY_PDS_URL",
    "mastodon_api_base_url": "MASTODON_API_BASE_URL",
    "mastodon_access_token": "MASTODON_ACCESS_TOKEN",
}


def _env(name: str) -> Any:
    return Field(None, validation_alias=AliasChoices(name, name.lower()))


def _split_list(value: Any, example: str = "bluesky,mastodon") -> Any:
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            try:
                return json.loads(value)
            except json.JSONDecodeError:  # "[Ukraine, news]": names, not JSON
                raise ValueError(f"{value!r} is not a JSON list; write the names separated by commas, "
                                 f"e.g. {example}") from None
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


CommaList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        validate_default=True,
        allow_inf_nan=False,  # "inf" is > 0, but no interval or timeout can be infinite (timedelta overflows)
    )

    # --- where things live -------------------------------------------------------------------
    queue_dir: Path = Path("queue")
    data_dir: Path = Path("data")
    database_url: str | None = None  # default: sqlite:///<data_dir>/newsbot.db
    templates_dir: Path | None = None  # default: ./templates if present, else the built-in ones
    timezone: str = "UTC"
    platforms: CommaList | None = None  # default: every platform whose credentials are set
    max_file_bytes: int = Field(5_000_000, gt=0)
    file_settle_seconds: float = Field(2.0, ge=0)

    # --- analysis and composition ------------------------------------------------------------
    summary_sentences: int = Field(1, ge=1, le=10)
    outlet: str | None = None
    hashtags: CommaList = []
    utm: bool = False  # add utm_source=<platform>&utm_medium=social&utm_campaign=newsbot to links
    threads: CommaList = ["bluesky", "mastodon"]  # platforms that get a thread of key quotes
    max_thread_length: int = Field(3, ge=1, le=25)
    mastodon_max_characters: int = Field(500, ge=100)  # used until the instance tells us its own

    # --- schedule (per-platform overrides in schedule_overrides, JSON) ----------------------
    slots: str = "*/15 7-22 * * *"  # cron expression(s) in `timezone`; ';' separates several
    min_spacing_minutes: int = Field(15, ge=0)
    quiet_hours: str = "23:00-06:00"  # local time; empty disables
    daily_cap: int = Field(24, ge=0)  # posts per platform per local day; 0 = no cap
    stagger_minutes: int = Field(2, ge=0)  # delay between platforms for the same article
    expire_hours: float = Field(24.0, gt=0)  # news older than this is not posted
    schedule_overrides: dict[str, dict[str, Any]] = {}  # {"x": {"daily_cap": 10}}

    # --- publishing and the daemon -----------------------------------------------------------
    max_attempts: int = Field(6, ge=1, le=1000)
    retry_base_seconds: float = Field(30.0, gt=0, le=3600)  # backoff is capped at an hour anyway
    ingest_interval_minutes: float = Field(5.0, gt=0, le=24 * 60)
    publish_tick_seconds: float = Field(10.0, gt=0, le=3600)
    history_days: int = Field(90, ge=1, le=36500)
    http_timeout_seconds: float = Field(20.0, gt=0, le=3600)
    user_agent: str = "newsbot/0.1 (+https://github.com/newsbot/newsbot)"

    # --- credentials (conventional names, no prefix) -----------------------------------------
    x_consumer_key: SecretStr | None = _env("X_CONSUMER_KEY")
    x_consumer_secret: SecretStr | None = _env("X_CONSUMER_SECRET")
    x_access_token: SecretStr | None = _env("X_ACCESS_TOKEN")
    x_access_token_secret: SecretStr | None = _env("X_ACCESS_TOKEN_SECRET")
    x_bearer_token: SecretStr | None = _env("X_BEARER_TOKEN")
    x_api_base_url: str = Field("https://api.x.com", validation_alias=AliasChoices("X_API_BASE_URL", "x_api_base_url"))
    bluesky_handle: str | None = _env("BLUESKY_HANDLE")
    bluesky_app_password: SecretStr | None = _env("BLUESKY_APP_PASSWORD")
    bluesky_pds_url: str = Field(
        "https://bsky.social", validation_alias=AliasChoices("BLUESKY_PDS_URL", "bluesky_pds_url")
    )
    mastodon_api_base_url: str | None = _env("MASTODON_API_BASE_URL")
    mastodon_access_token: SecretStr | None = _env("MASTODON_ACCESS_TOKEN")

    @field_validator("queue_dir", "data_dir", "templates_dir", "x_api_base_url", "bluesky_pds_url", mode="before")
    @classmethod
    def _empty_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        # "NEWSBOT_QUEUE_DIR=" left empty in .env: the default folder, not the working directory (whose files
        # would be taken as articles), and the default server, not none at all
        if isinstance(value, str) and not value.strip():
            return cls.model_fields[info.field_name or ""].default
        return value

    @field_validator("platforms", "hashtags", "threads", mode="before")
    @classmethod
    def _comma_list(cls, value: Any, info: ValidationInfo) -> Any:
        return _split_list(value, "Ukraine,news" if info.field_name == "hashtags" else "bluesky,mastodon")

    @field_validator("platforms", "threads")
    @classmethod
    def _known_platforms(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        names = list(dict.fromkeys(v.lower() for v in value))  # each once: "x,X" would plan every post twice
        unknown = [v for v in names if v not in PLATFORMS]
        if unknown:
            raise ValueError(f"unknown platform {unknown[0]!r}; choose from {', '.join(PLATFORMS)}")
        return names

    @field_validator("schedule_overrides")
    @classmethod
    def _override_platforms(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        # Keyed like NEWSBOT_PLATFORMS: an override for "twitter" or "X" would otherwise be silently ignored.
        overrides = {name.lower(): settings for name, settings in value.items()}
        unknown = [name for name in overrides if name not in PLATFORMS]
        if unknown:
            raise ValueError(f"unknown platform {unknown[0]!r}; choose from {', '.join(PLATFORMS)}")
        return overrides

    @field_validator("hashtags")
    @classmethod
    def _strip_hash(cls, value: list[str]) -> list[str]:
        return [v.lstrip("#") for v in value if v.lstrip("#")]

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a known time zone; use an IANA name like Europe/Kyiv") from None
        return value

    @field_validator("x_api_base_url", "bluesky_pds_url", "mastodon_api_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _explicit_platforms_need_credentials(self) -> Settings:
        for name in self.platforms or ():
            missing = self.missing_credentials(name)
            if missing:
                raise ValueError(
                    f"NEWSBOT_PLATFORMS lists {name!r} but {', '.join(missing)} "
                    f"{'is' if len(missing) == 1 else 'are'} not set; set {' and '.join(missing)} in .env"
                )
        return self

    # --- derived ---------------------------------------------------------------------------
    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'newsbot.db'}"

    def missing_credentials(self, platform: str) -> list[str]:
        """The environment variables still needed before ``platform`` can publish."""
        if platform == "x":
            oauth1 = ["x_consumer_key", "x_consumer_secret", "x_access_token", "x_access_token_secret"]
            if self.x_bearer_token is not None:
                return []
            return [_CREDENTIAL_ENV[f] for f in oauth1 if getattr(self, f) is None]
        if platform == "bluesky":
            need = ["bluesky_handle", "bluesky_app_password"]
        elif platform == "mastodon":
            need = ["mastodon_api_base_url", "mastodon_access_token"]
        else:
            raise ConfigError(f"unknown platform {platform!r}; choose from {', '.join(PLATFORMS)}")
        return [_CREDENTIAL_ENV[f] for f in need if not getattr(self, f)]

    @property
    def enabled_platforms(self) -> list[str]:
        """Platforms to publish to: the explicit list, else every platform whose credentials are set."""
        if self.platforms is not None:
            return list(self.platforms)
        return [p for p in PLATFORMS if not self.missing_credentials(p)]

    def schedule_value(self, platform: str, name: str) -> Any:
        """A schedule setting for one platform: its override if any, else the global value."""
        return self.schedule_overrides.get(platform, {}).get(name, getattr(self, name))


def _env_name(field: str) -> str:
    return _CREDENTIAL_ENV.get(field, f"NEWSBOT_{field.upper()}")


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read settings once; any invalid value becomes one ConfigError line naming the variable."""
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [str(part) for part in err["loc"] if part not in ("", "__root__")]
            msg = err["msg"].removeprefix("Value error, ")
            if loc:
                problems.append(f"{_env_name(loc[0].lower())}: {msg}")
            else:
                problems.append(msg)
        raise ConfigError("invalid setting — " + "; ".join(problems)) from None
    except UnicodeDecodeError as exc:  # the environment is text already: only the file is decoded here
        raise ConfigError(f"cannot read the settings file {env_file}: it is not UTF-8 text (byte "
                          f"{exc.object[exc.start]:#04x} at position {exc.start}); save it as UTF-8") from None
    except SettingsError as exc:  # a list/dict setting whose value is not valid JSON
        found = re.search(r'field "(\w+)"', str(exc))
        name = _env_name(found.group(1)) if found else "a setting"
        raise ConfigError(f"invalid setting — {name}: not valid JSON (e.g. {{\"x\": {{\"daily_cap\": 10}}}})") from None
