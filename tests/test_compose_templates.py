"""Templates are the newsroom's to edit: they set the layout, and a mistake in one is a clear error."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from compose_samples import HEADLINE, URL, compose_settings, sample_analysis, sample_article

from bot.compose import compose
from bot.compose.render import TEMPLATE_VARIABLES, builtin_templates_dir, load_templates, resolve_templates_dir
from bot.errors import ComposeError


@pytest.fixture
def tpl_dir(tmp_path: Path) -> Path:
    """An editable copy of the built-in templates."""
    target = tmp_path / "newsroom-templates"
    shutil.copytree(builtin_templates_dir(), target)
    return target


def _compose(tpl_dir: Path, platforms: list[str], **settings: object) -> list:
    return compose(sample_article(), sample_analysis(), compose_settings(templates_dir=tpl_dir, **settings), platforms)


def test_a_newsroom_template_sets_the_layout(tpl_dir: Path) -> None:
    (tpl_dir / "x.j2").write_text("{{ outlet }}: {{ headline }} {{ url }}\n", encoding="utf-8")
    (draft,) = _compose(tpl_dir, ["x"])
    assert draft.parts[0].text == f"Example News: {HEADLINE} {URL}"


def test_templates_see_the_publication_time_in_the_newsroom_time_zone(tpl_dir: Path) -> None:
    (tpl_dir / "x.j2").write_text("{{ headline }} ({{ published.strftime('%H:%M') }}) {{ url }}", encoding="utf-8")
    (draft,) = _compose(tpl_dir, ["x"], timezone="Europe/Kyiv")
    assert f"{HEADLINE} (12:16)" in draft.parts[0].text


def test_a_platform_quote_template_overrides_the_shared_one(tpl_dir: Path) -> None:
    (tpl_dir / "mastodon_quote.j2").write_text("{{ quote.speaker }} said: “{{ quote.text }}”", encoding="utf-8")
    drafts = {d.platform: d for d in _compose(tpl_dir, ["bluesky", "mastodon"])}
    assert drafts["mastodon"].parts[1].text.startswith("Oleksiy Danilov said: “We have no desire")
    assert drafts["bluesky"].parts[1].text.startswith("“We have no desire")


def test_a_syntax_error_names_the_file_and_line(tpl_dir: Path) -> None:
    (tpl_dir / "bluesky.j2").write_text("{{ headline }}\n{{ summary | }}\n{{ url }}\n", encoding="utf-8")
    with pytest.raises(ComposeError) as err:
        _compose(tpl_dir, ["bluesky"])
    assert "bluesky.j2, line 2" in str(err.value)


def test_a_misspelt_variable_names_the_file_line_and_variable(tpl_dir: Path) -> None:
    (tpl_dir / "x.j2").write_text("{{ headline }}\n\n{{ headlin }}\n{{ url }}\n", encoding="utf-8")
    with pytest.raises(ComposeError) as err:
        _compose(tpl_dir, ["x"])
    message = str(err.value)
    assert "x.j2, line 3" in message
    assert "'headlin' is undefined" in message


@pytest.mark.parametrize("name", ["quote.j2", "x.j2"])
def test_a_misspelt_quote_field_says_which_fields_a_quote_has(tpl_dir: Path, name: str) -> None:
    variable = "quote" if name == "quote.j2" else "key_quote"
    (tpl_dir / name).write_text(f"{{{{ headline }}}}\n“{{{{ {variable}.txt }}}}”\n{{{{ url }}}}\n", encoding="utf-8")
    with pytest.raises(ComposeError) as err:
        _compose(tpl_dir, ["x", "mastodon"])
    message = str(err.value)
    assert f"{name}, line 2" in message
    assert "a quote has no 'txt'; use quote.text, quote.speaker, quote.role, quote.open or quote.close" in message
    assert "QuoteVar" not in message


def test_an_error_inside_a_filter_still_names_the_template(tpl_dir: Path) -> None:
    (tpl_dir / "quote.j2").write_text("“{{ quote.text }}”\n{{ quote.speaker.upper(1, 2) }}\n", encoding="utf-8")
    with pytest.raises(ComposeError, match=r"quote\.j2, line 2"):
        _compose(tpl_dir, ["mastodon"])


def test_a_missing_template_says_which_file_is_missing(tpl_dir: Path) -> None:
    (tpl_dir / "quote.j2").unlink()
    with pytest.raises(ComposeError, match=r"no template mastodon_quote\.j2 or quote\.j2 in .*newsroom-templates") as err:
        _compose(tpl_dir, ["mastodon"])
    assert f"copy it from the built-in templates in {builtin_templates_dir()}" in str(err.value)  # a path that exists


def test_a_missing_templates_directory_says_which_setting_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ComposeError, match="NEWSBOT_TEMPLATES_DIR"):
        _compose(tmp_path / "nowhere", ["x"])


def test_check_finds_a_broken_template_before_any_article(tpl_dir: Path) -> None:
    (tpl_dir / "x_quote.j2").write_text("{% if quote %}unclosed\n", encoding="utf-8")
    with pytest.raises(ComposeError, match=r"x_quote\.j2, line \d"):
        load_templates(tpl_dir).check()


def test_edits_to_a_template_are_picked_up_without_a_restart(tpl_dir: Path) -> None:
    (tpl_dir / "x.j2").write_text("one {{ url }}", encoding="utf-8")
    assert _compose(tpl_dir, ["x"])[0].parts[0].text.startswith("one")
    (tpl_dir / "x.j2").write_text("two, now longer {{ url }}", encoding="utf-8")
    os.utime(tpl_dir / "x.j2", (1, 2_000_000_000))  # a clearly newer modification time
    assert _compose(tpl_dir, ["x"])[0].parts[0].text.startswith("two")


def test_templates_dir_defaults_to_a_local_templates_folder_then_the_builtin_ones(tmp_path: Path) -> None:
    # conftest runs every test in tmp_path as the working directory
    assert resolve_templates_dir(None) == builtin_templates_dir()
    (tmp_path / "templates").mkdir()
    assert resolve_templates_dir(None) == Path("templates")
    assert resolve_templates_dir(tmp_path / "elsewhere") == tmp_path / "elsewhere"


def test_a_misspelt_variable_in_a_branch_this_article_skips_is_still_an_error(tpl_dir: Path) -> None:
    # The breaking-news line is rendered only for breaking news: a typo there must not wait for the first
    # breaking story to show up - every article (and so `newsbot preview`) reports it.
    (tpl_dir / "x.j2").write_text(
        '{% if priority == "breaking" %}{{ breaking_lable }}: {% endif %}{{ headline }}\n{{ url }}\n', encoding="utf-8"
    )
    with pytest.raises(ComposeError) as err:
        _compose(tpl_dir, ["x"])  # a normal article
    message = str(err.value)
    assert "x.j2, line 1" in message and "'breaking_lable' is undefined" in message
    assert "templates/README.md" in message


def test_every_documented_variable_is_known_and_given_to_the_templates(tpl_dir: Path) -> None:
    readme = (builtin_templates_dir() / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Variables", 1)[1].split("\n\n", 2)[1]
    documented = {name for row in table.splitlines()[2:] for name in re.findall(r"`(\w+)`", row.split("|")[1])}
    assert documented == TEMPLATE_VARIABLES | {"quote"}
    # The composer gives every one of them: turning a missing one into text fails the render (StrictUndefined).
    names = ", ".join(sorted(TEMPLATE_VARIABLES))
    use_all = f"{{% set all = [{names}] | map('string') | list %}}"
    (tpl_dir / "x.j2").write_text(use_all + "{{ headline }} {{ url }}", encoding="utf-8")
    (tpl_dir / "quote.j2").write_text(use_all + "“{{ quote.text }}”", encoding="utf-8")
    (draft,) = _compose(tpl_dir, ["x"], threads=["x"])
    assert draft.parts[0].text == f"{HEADLINE} {URL}" and len(draft.parts) == 3


def test_a_template_saved_in_another_encoding_is_a_clear_error(tpl_dir: Path) -> None:
    # An editor on Windows may save "Dernière heure" as Windows-1252: one line naming the file, not a traceback.
    (tpl_dir / "x.j2").write_bytes("Dernière heure : {{ headline }}\n{{ url }}\n".encode("cp1252"))
    with pytest.raises(ComposeError) as err:
        _compose(tpl_dir, ["x"])
    message = str(err.value)
    assert "x.j2" in message and "UTF-8" in message and "line 1" in message


def test_a_template_saved_with_a_byte_order_mark_posts_without_it(tpl_dir: Path) -> None:
    # "UTF-8 with BOM" (Notepad, some editors): the invisible U+FEFF is no part of the post; X refuses it, so
    # the X post "did not fit even as headline + link" at 31 of 280.
    for name in ("x.j2", "bluesky.j2", "mastodon.j2"):
        (tpl_dir / name).write_bytes(b"\xef\xbb\xbf" + (tpl_dir / name).read_bytes())
    drafts = _compose(tpl_dir, ["x", "bluesky", "mastodon"])
    assert all(d.parts[0].text.startswith(HEADLINE) for d in drafts)


def test_a_name_the_template_sets_itself_is_no_misspelt_variable(tpl_dir: Path) -> None:
    (tpl_dir / "x.j2").write_text(
        "{% if summary %}{% set lead = summary %}{% else %}{% set lead = headline %}{% endif %}"
        "{{ headline }}: {{ lead }}\n{{ url }}\n",
        encoding="utf-8",
    )
    (draft,) = _compose(tpl_dir, ["x"], threads=[])
    assert draft.parts[0].text.startswith(f"{HEADLINE}: Ukraine has not")
