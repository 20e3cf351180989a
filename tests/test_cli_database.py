"""A database that cannot be used is one line naming NEWSBOT_DATABASE_URL and saying what to do — never a
traceback, and never the URL's password."""

from __future__ import annotations

from pathlib import Path

import pytest


from testkit import run_cli as run
from bot.errors import StoreError
from bot.store import open_store
from bot.store.backend import masked

SECRET = "s3cretpw"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWSBOT_QUEUE_DIR", str(tmp_path / "queue"))
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no .env from the caller's folder
    return tmp_path


def status_with(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str) -> str:
    monkeypatch.setenv("NEWSBOT_DATABASE_URL", url)
    code, out, err = run(capsys, "status")
    assert code == 5, err
    assert out == ""
    assert "Traceback" not in err and SECRET not in err
    [line] = err.strip().splitlines()
    assert line.startswith("error: ")
    return line


def test_a_file_that_is_no_database_says_to_point_the_setting_elsewhere(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workdir: Path
) -> None:
    garbage = workdir / "bad.db"
    garbage.write_bytes(b"this is not a database, just some text " * 200)
    line = status_with(capsys, monkeypatch, f"sqlite:///{garbage}")
    assert str(garbage) in line and "file is not a database" in line
    assert "NEWSBOT_DATABASE_URL" in line and "move that file away" in line
    assert garbage.read_bytes().startswith(b"this is not a database")  # left as it was


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (f"postgresql://newsbot:{SECRET}@127.0.0.1:notaport/db", "is not a database URL"),
        (f"postgresql+nodriver://newsbot:{SECRET}@localhost/db", "that SQLAlchemy does not know"),
        (f"nodatabase://newsbot:{SECRET}@localhost/db", "that SQLAlchemy does not know"),
        (f"postgresql//newsbot:{SECRET}@localhost/db", "is not a database URL"),
    ],
)
def test_a_url_that_cannot_be_used_names_the_setting_and_hides_the_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workdir: Path, url: str, says: str
) -> None:
    line = status_with(capsys, monkeypatch, url)
    assert line.startswith("error: NEWSBOT_DATABASE_URL: ")
    assert says in line and "newsbot:***@" in line
    assert "postgresql+psycopg://" in line  # an example of a URL that works


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://newsbot:{SECRET}@127.0.0.1:notaport/db",
        f"postgresql+nodriver://newsbot:{SECRET}@localhost/db",
        "sqlite:///{garbage}",
    ],
)
def test_run_once_says_the_same_before_it_starts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workdir: Path, url: str
) -> None:
    garbage = workdir / "bad.db"
    garbage.write_text("not sqlite")
    monkeypatch.setenv("NEWSBOT_DATABASE_URL", url.format(garbage=garbage))
    code, _, err = run(capsys, "run", "--once")
    assert code == 5
    assert "Traceback" not in err and SECRET not in err
    [line] = err.strip().splitlines()
    assert line.startswith("error: ") and "NEWSBOT_DATABASE_URL" in line


def test_a_server_that_cannot_be_reached_is_one_line_without_the_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workdir: Path
) -> None:
    # Port 1 refuses at once. Without the PostgreSQL driver installed, it is the missing-driver message.
    line = status_with(capsys, monkeypatch, f"postgresql+psycopg://newsbot:{SECRET}@127.0.0.1:1/newsbot")
    assert "NEWSBOT_DATABASE_URL" in line


def test_the_store_error_is_raised_for_the_library_too(tmp_path: Path) -> None:
    garbage = tmp_path / "bad.db"
    garbage.write_text("not sqlite")
    with pytest.raises(StoreError, match="NEWSBOT_DATABASE_URL"):
        open_store(f"sqlite:///{garbage}")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:p@ss:w//rd@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("pg//u:pw@h", "pg//u:***@h"),
        ("u:pw@h/db", "u:***@h/db"),
        ("postgresql://h:5432/db", "postgresql://h:5432/db"),
        ("sqlite:////var/lib/newsbot/newsbot.db", "sqlite:////var/lib/newsbot/newsbot.db"),
    ],
)
def test_masked_hides_a_password_even_in_a_url_that_does_not_parse(url: str, shown: str) -> None:
    assert masked(url) == shown
