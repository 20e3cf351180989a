"""Settings: environment + .env, conventional credential names, one clear line per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigError


def test_defaults_need_no_credentials_and_enable_no_platform() -> None:
    s = load_settings(None)
    assert s.queue_dir == Path("queue")
    assert s.db_url == "sqlite:///data/newsbot.db"
    assert s.enabled_platforms == []
    assert s.timezone == "UTC"


def test_database_url_follows_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_DATA_DIR", "/var/lib/newsbot")
    assert load_settings(None).db_url == "sqlite:////var/lib/newsbot/newsbot.db"
    monkeypatch.setenv("NEWSBOT_DATABASE_URL", "postgresql+psycopg://u@db/newsbot")
    assert load_settings(None).db_url == "postgresql+psycopg://u@db/newsbot"


def test_env_file_is_read_and_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / ".env"
    env.write_text("NEWSBOT_TIMEZONE=Europe/Kyiv\nBLUESKY_HANDLE=desk.bsky.social\nBLUESKY_APP_PASSWORD=abcd-efgh\n")
    s = load_settings(env)
    assert s.timezone == "Europe/Kyiv"
    assert s.enabled_platforms == ["bluesky"]
    monkeypatch.setenv("NEWSBOT_TIMEZONE", "America/New_York")
    assert load_settings(env).timezone == "America/New_York"


def test_platforms_default_to_those_with_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTODON_API_BASE_URL", "https://mastodon.example/")
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "tok")
    monkeypatch.setenv("X_BEARER_TOKEN", "user-token")
    s = load_settings(None)
    assert s.enabled_platforms == ["x", "mastodon"]
    assert s.mastodon_api_base_url == "https://mastodon.example"


def test_explicit_platform_list_is_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("X_CONSUMER_KEY", "X_CONSUMER_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET"):
        monkeypatch.setenv(name, "v")
    monkeypatch.setenv("NEWSBOT_PLATFORMS", "X")
    assert load_settings(None).enabled_platforms == ["x"]


def test_credentials_are_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "super-secret-password-123")
    s = load_settings(None)
    assert "super-secret-password-123" not in repr(s)
    assert "super-secret-password-123" not in str(s.model_dump())
    assert s.bluesky_app_password is not None
    assert s.bluesky_app_password.get_secret_value() == "super-secret-password-123"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("NEWSBOT_TIMEZONE", "Mars/Olympus", "NEWSBOT_TIMEZONE: 'Mars/Olympus' is not a known time zone"),
        ("NEWSBOT_PLATFORMS", "x,myspace", "NEWSBOT_PLATFORMS: unknown platform 'myspace'"),
        ("NEWSBOT_DAILY_CAP", "lots", "NEWSBOT_DAILY_CAP: Input should be a valid integer"),
        ("NEWSBOT_MAX_FILE_BYTES", "0", "NEWSBOT_MAX_FILE_BYTES: Input should be greater than 0"),
        ("BLUESKY_PDS_URL", "bsky.social", "BLUESKY_PDS_URL: 'bsky.social' is not an http(s) URL"),
        ("NEWSBOT_SCHEDULE_OVERRIDES", "{not json", "NEWSBOT_SCHEDULE_OVERRIDES"),
        # "inf" is > 0 and parses as a float, but a timedelta of it stops every planning pass
        ("NEWSBOT_PUBLISH_TICK_SECONDS", "inf", "NEWSBOT_PUBLISH_TICK_SECONDS: Input should be a finite number"),
        ("NEWSBOT_EXPIRE_HOURS", "infinity", "NEWSBOT_EXPIRE_HOURS: Input should be a finite number"),
        # finite but beyond any date: the retry backoff overflowed and left the post `sending`
        ("NEWSBOT_RETRY_BASE_SECONDS", "1e300", "NEWSBOT_RETRY_BASE_SECONDS: Input should be less than or equal to 3600"),
        ("NEWSBOT_PUBLISH_TICK_SECONDS", "1e300", "NEWSBOT_PUBLISH_TICK_SECONDS: Input should be less than or equal"),
        ("NEWSBOT_HASHTAGS", "[Ukraine, news]", "NEWSBOT_HASHTAGS: '[Ukraine, news]' is not a JSON list; write the "
                                                "names separated by commas, e.g. Ukraine,news"),
    ],
)
def test_an_invalid_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings(None)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    assert "pydantic" not in message.lower()


def test_listing_a_platform_without_its_credentials_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_PLATFORMS", "bluesky")
    monkeypatch.setenv("BLUESKY_HANDLE", "desk.bsky.social")
    with pytest.raises(ConfigError, match="set BLUESKY_APP_PASSWORD in .env"):
        load_settings(None)


def test_a_schedule_override_for_no_known_platform_is_an_error_not_silently_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSBOT_SCHEDULE_OVERRIDES", '{"twitter": {"daily_cap": 10}}')
    with pytest.raises(ConfigError) as info:
        load_settings(None)
    assert "NEWSBOT_SCHEDULE_OVERRIDES: unknown platform 'twitter'; choose from x, bluesky, mastodon" in str(info.value)


def test_schedule_override_platforms_are_read_like_newsbot_platforms_whatever_their_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSBOT_SCHEDULE_OVERRIDES", '{"X": {"daily_cap": 10}}')
    settings = load_settings(None)
    assert settings.schedule_value("x", "daily_cap") == 10


def test_a_settings_file_that_is_not_utf8_is_one_line_saying_to_save_it_as_utf8(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_bytes("NEWSBOT_OUTLET=Café Kyiv\n".encode("latin-1"))  # a Windows editor's default
    with pytest.raises(ConfigError) as info:
        load_settings(env)
    assert str(info.value) == (f"cannot read the settings file {env}: it is not UTF-8 text (byte 0xe9 at position 18); "
                               "save it as UTF-8")


def test_a_platform_listed_twice_is_enabled_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTODON_API_BASE_URL", "https://mastodon.example")
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "tok")
    monkeypatch.setenv("NEWSBOT_PLATFORMS", "mastodon, Mastodon")
    assert load_settings(None).enabled_platforms == ["mastodon"]  # planned once, not twice over each other


@pytest.mark.parametrize(
    ("name", "field", "default"),
    [
        # an empty value is not "the working directory": the queue would be every file beside .env
        ("NEWSBOT_QUEUE_DIR", "queue_dir", Path("queue")),
        ("NEWSBOT_DATA_DIR", "data_dir", Path("data")),
        ("NEWSBOT_TEMPLATES_DIR", "templates_dir", None),
        ("BLUESKY_PDS_URL", "bluesky_pds_url", "https://bsky.social"),  # not "could not reach Bluesky at None"
        ("X_API_BASE_URL", "x_api_base_url", "https://api.x.com"),
    ],
)
def test_a_folder_or_server_left_empty_in_the_settings_file_means_its_default(
    tmp_path: Path, name: str, field: str, default: object
) -> None:
    env = tmp_path / ".env"
    env.write_text(f"{name}=\n")
    assert getattr(load_settings(env), field) == default
