"""An installed newsbot (a wheel, no checkout around it) still has its templates and its regex cache."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q", "-w", str(out)]
    if importlib.util.find_spec("setuptools") and importlib.util.find_spec("wheel"):
        cmd.append("--no-build-isolation")  # the venv's own setuptools: no download
    done = subprocess.run([*cmd, str(ROOT)], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("newsbot-*.whl")
    return built


def test_the_wheel_ships_the_templates_and_the_regex_cache(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {p.name for p in (ROOT / "templates").glob("*.j2")}
    assert templates and {f"bot/_templates/{n}" for n in templates} <= names
    assert {"bot/analyze/rx_cache.pickle", "bot/compose/twitter_re_cache.pickle"} <= names
    assert not any(n.startswith(("tests/", "templates/", "queue/")) for n in names)


def test_an_installed_wheel_composes_posts_with_its_own_templates(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # Run from a folder with no templates/ in it, the package imported from the unpacked wheel only.
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import bot\n"
        "assert bot.__file__.startswith(sys.argv[1]), bot.__file__\n"
        "from bot.compose.render import builtin_templates_dir, load_templates\n"
        "print(builtin_templates_dir())\n"
        "load_templates(None)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(site)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(site / "bot" / "_templates")
