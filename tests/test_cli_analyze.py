"""`newsbot analyze`: files or JSON lines in, one JSON line per article out; a bad line never stops a batch."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from bot.cli import main

from testkit import SAMPLE


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "") -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().out


def test_a_file_gives_headline_summary_and_attributed_quotes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = run(capsys, monkeypatch, "analyze", "--json", str(SAMPLE))
    assert code == 0
    [line] = out.splitlines()
    result = json.loads(line)
    assert result["headline"] == "Ukraine yet to sever diplomatic ties with Belarus"
    assert result["language"] == "en"
    assert len(result["summary_sentences"]) == 1
    danilov = [q for q in result["quotes"] if q["speaker"] == "Oleksiy Danilov"]
    assert len(danilov) >= 3
    assert any(q["key"] for q in result["quotes"])


def test_jsonl_offsets_point_into_the_given_text(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        "Photo: Agency\n\nThe council met on Monday to discuss the plan.\n\n"
        "“We will build the bridge by next summer,” said Mayor Anna Kovalenko.\n"
    )
    lines = json.dumps({"id": "k1", "text": text, "title": "Bridge plan"}) + "\n"
    code, out = run(capsys, monkeypatch, "analyze", "--jsonl", "-", "--summary-sentences", "2", stdin=lines)
    result = json.loads(out)
    assert result["id"] == "k1" and result["headline"] == "Bridge plan"
    [quote] = result["quotes"]
    span = text[quote["start"] : quote["end"]]
    assert span == "“We will build the bridge by next summer,”"
    assert quote["speaker"] == "Anna Kovalenko"
    assert len(result["summary_sentences"]) <= 2


def test_a_bad_line_yields_an_error_line_and_the_batch_goes_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    batch = tmp_path / "batch.jsonl"
    good = {"id": "ok", "text": "The minister resigned on Friday after weeks of pressure from his party."}
    batch.write_text(
        json.dumps(good) + "\n{broken\n" + json.dumps({"id": "empty", "text": ""}) + "\n"
        + json.dumps({"id": "notext"}) + "\n" + json.dumps(good | {"id": "ok2"}) + "\n"
    )
    code, out = run(capsys, monkeypatch, "analyze", "--jsonl", str(batch))
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ["ok", "2", "empty", "notext", "ok2"]
    assert [("error" in r) for r in results] == [False, True, True, True, False]
    assert "not JSON" in results[1]["error"] and "text" in results[3]["error"]


def test_without_input_it_says_what_to_give(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "bot", "analyze"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert "--jsonl" in done.stderr and "Traceback" not in done.stderr


def test_a_missing_jsonl_file_is_one_line_naming_it(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "bot", "analyze", "--jsonl", "nope.jsonl"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 6
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == ["error: --jsonl: no such file 'nope.jsonl'; give a JSON-lines file, or - to read stdin"]


def test_readable_view(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(capsys, monkeypatch, "analyze", str(SAMPLE))
    assert code == 0
    assert "Summary:" in out and "Oleksiy Danilov" in out


def test_json_reports_a_failed_article_as_a_line_and_exits_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.txt"
    code, out = run(capsys, monkeypatch, "analyze", "--json", str(missing), str(SAMPLE))
    assert code == 0  # the failure is data in the output: the pipeline reads the "error" field
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["id"] == str(missing) and "error" in first
    assert second["id"] == str(SAMPLE) and "error" not in second


def test_jsonl_writes_an_error_line_for_a_broken_record_and_exits_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good = json.dumps({"id": "ok", "text": "The minister resigned on Friday after weeks of pressure."})
    code, out = run(capsys, monkeypatch, "analyze", "--jsonl", "-", stdin=good + "\n{broken\n")
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["ok", "2"]
    code, out = run(capsys, monkeypatch, "analyze", "--jsonl", "-", stdin=good + "\n")
    assert code == 0


def test_an_error_line_carries_the_records_own_id_and_the_line_number(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        json.dumps({"id": 7, "text": ""}),  # its own id, though not a string
        json.dumps({"id": None, "text": 5}),  # no usable id: the line number names it
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "abc", "text": None}),
    ]
    code, out = run(capsys, monkeypatch, "analyze", "--jsonl", "-", stdin="\n".join(lines) + "\n")
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r["line"]) for r in results] == [("7", 1), ("2", 2), ("3", 3), ("abc", 4)]
    assert all(r["error"] for r in results)


def test_an_unexpected_failure_is_an_error_line_and_the_batch_goes_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import bot.analyze
    from bot.models import Analysis, Article

    real = bot.analyze.analyze

    def analyze_that_breaks_on_one_article(article: Article, **kwargs: int) -> Analysis:
        if "boom" in article.text:
            raise RuntimeError("a bug in the analyser")
        return real(article, **kwargs)

    monkeypatch.setattr(bot.analyze, "analyze", analyze_that_breaks_on_one_article)
    bad = tmp_path / "bad.txt"
    bad.write_text("Title\n\nThe boom was heard across the city on Monday, officials said.\n")
    code, out = run(capsys, monkeypatch, "analyze", "--json", str(bad), str(SAMPLE))
    assert code == 0
    first, second = (json.loads(line) for line in out.splitlines())
    assert first == {"id": str(bad), "error": "analysis failed: RuntimeError: a bug in the analyser"}
    assert second["headline"] == "Ukraine yet to sever diplomatic ties with Belarus"


def test_readable_view_puts_failures_on_stderr_and_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "missing [/] [bold].txt"
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    try:
        main(["analyze", str(missing), str(SAMPLE)])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code == 1
    assert "Summary:" in out and str(missing) not in out
    assert str(missing) in " ".join(err.split())


def test_a_line_that_is_not_utf8_is_an_error_line_and_the_batch_goes_on_and_a_bom_is_no_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    batch = tmp_path / "batch.jsonl"
    good = json.dumps({"id": "ok", "text": "The minister resigned on Friday after weeks of pressure."}).encode()
    latin1 = '{"id": "cafe", "text": "Caf\u00e9 owners protested on Monday against the new rules."}'.encode("latin-1")
    batch.write_bytes(b"\xef\xbb\xbf" + good + b"\n" + latin1 + b"\n" + good.replace(b'"ok"', b'"ok2"') + b"\n")
    code, out = run(capsys, monkeypatch, "analyze", "--jsonl", str(batch))
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], "error" in r) for r in results] == [("ok", False), ("2", True), ("ok2", False)]
    assert results[1]["line"] == 2 and "UTF-8" in results[1]["error"]


def test_json_that_python_cannot_read_is_that_lines_error_and_the_batch_goes_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Valid JSON that json.loads still refuses: arrays nested 100 000 deep (RecursionError), an integer
    # of 5 000 digits (ValueError) - neither is a JSONDecodeError.
    batch = tmp_path / "batch.jsonl"
    good = {"id": "ok", "text": "The minister resigned on Friday after weeks of pressure from his party."}
    nested = "[" * 100_000 + "]" * 100_000
    huge_id = '{"id": ' + "7" * 5000 + ', "text": "The council voted on Tuesday to close the old bridge."}'
    batch.write_text("\n".join([json.dumps(good), nested, huge_id, json.dumps(good | {"id": "ok2"})]) + "\n")
    code, out = run(capsys, monkeypatch, "analyze", "--jsonl", str(batch))
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], "error" in r) for r in results] == [("ok", False), ("2", True), ("3", True), ("ok2", False)]
    assert "line 2" in results[1]["error"] and "nested" in results[1]["error"]
    assert "line 3" in results[2]["error"] and "digits" in results[2]["error"]


def test_a_record_id_with_a_lone_surrogate_is_written_with_a_replacement_character(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # "\ud800" is valid JSON, but not encodable as UTF-8: writing it stopped the batch with a traceback.
    text = "The minister resigned on Friday after weeks of pressure from his party."
    lines = '{"id": "a\\ud800", "text": "%s"}\n{"id": "b", "text": "%s"}\n' % (text, text)
    code, out = run(capsys, monkeypatch, "analyze", "--jsonl", "-", stdin=lines)
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["a\ufffd", "b"]


def test_a_file_name_that_is_not_utf8_is_written_with_a_replacement_character(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    named = tmp_path / os.fsdecode(b"caf\xe9.txt")  # a Latin-1 name: "\udce9" in the str Python gives it
    named.write_text("Minister resigns\n\nThe minister resigned on Friday after weeks of pressure from his party.\n")
    missing = tmp_path / os.fsdecode(b"gone\xe9.txt")
    code, out = run(capsys, monkeypatch, "analyze", "--json", str(named), str(missing), str(SAMPLE))
    assert code == 0
    first, second, third = (json.loads(line) for line in out.splitlines())
    assert first["id"].endswith("caf\ufffd.txt") and "error" not in first
    assert second["id"].endswith("gone\ufffd.txt") and "error" in second
    assert third["headline"] == "Ukraine yet to sever diplomatic ties with Belarus"
