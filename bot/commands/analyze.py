"""`newsbot analyze`: headline, summary and quotes with speakers, as JSON lines or a readable view."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import typer
from rich.markup import escape
from rich.text import Text

from ..cli import app, state
from ..errors import BotError, IngestError, NotFoundError
from ..models import Analysis
from ..output import console, err_console, to_json


def analysis_record(record_id: str, analysis: Analysis) -> dict[str, Any]:
    """The JSON line for one analysed article (offsets point into the analysed text)."""
    return {
        "id": record_id,
        "headline": analysis.headline,
        "summary": analysis.summary,
        "summary_sentences": list(analysis.summary_sentences),
        "quotes": [
            {"text": q.text, "speaker": q.speaker, "role": q.role, "start": q.start, "end": q.end, "key": q.key}
            for q in analysis.quotes
        ],
        "language": analysis.language,
    }


# A lone surrogate: valid in JSON ("\\ud800") and in a file name that is not UTF-8, but not writable as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _printable(name: str) -> str:
    """An id as it can be written out (the analysis does the same to the texts it reads)."""
    return _SURROGATE.sub("\ufffd", name)


def _record_id(record: Any, number: int) -> str:
    """A record's own ``id``; only a line without one (or not JSON at all) is named by its line number."""
    if isinstance(record, dict) and record.get("id") is not None:
        return _printable(str(record["id"]))
    return str(number)


def _jsonl_records(stream: IO[bytes] | IO[str]) -> Iterator[tuple[int, str, dict[str, Any] | None, str | None]]:
    # Read as bytes and decoded line by line: one line that is not UTF-8 is that line's error, where a text
    # stream would stop the whole batch at the first bad byte.
    lines: Iterable[bytes | str] = stream
    for number, raw in enumerate(lines, 1):
        if isinstance(raw, bytes):
            try:
                line = raw.decode("utf-8-sig")  # -sig: a BOM that a Windows editor wrote is not data
            except UnicodeDecodeError as exc:
                yield number, str(number), None, (f"line {number} is not UTF-8 text (byte {raw[exc.start]:#04x} at "
                                                  f"position {exc.start}); save the batch as UTF-8")
                continue
        else:
            line = raw
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, str(number), None, f"line {number} is not JSON: {exc.msg}"
            continue
        except (ValueError, RecursionError) as exc:
            # JSON that json.loads refuses all the same: an integer of more than 4300 digits, arrays or
            # objects nested thousands deep.
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
            yield number, str(number), None, f"line {number} cannot be read as JSON: {reason}"
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield number, _record_id(record, number), None, f'line {number} needs a "text" string field'
            continue
        yield number, _record_id(record, number), record, None


def _failure(exc: Exception) -> str:
    if isinstance(exc, BotError):
        return _printable(str(exc))  # it may name a file whose name is not UTF-8
    return _printable(f"analysis failed: {type(exc).__name__}: {exc}")


def analyze_jsonl(stream: IO[bytes] | IO[str], summary_sentences: int) -> Iterator[dict[str, Any]]:
    """One result per non-blank input line, in order; the batch always goes on.

    A line that fails yields ``{"id", "line", "error"}``: ``id`` is the record's own id, or the line
    number (as a string) when the record has none or the line is not JSON; ``line`` is always the line number.
    """
    from ..analyze import analyze_text

    for number, record_id, record, problem in _jsonl_records(stream):
        if record is None:
            yield {"id": record_id, "line": number, "error": problem}
            continue
        title = record.get("title") if isinstance(record.get("title"), str) else None
        try:
            yield analysis_record(record_id, analyze_text(record["text"], title, summary_sentences=summary_sentences))
        except Exception as exc:  # one bad article must never stop a batch of thousands
            yield {"id": record_id, "line": number, "error": _failure(exc)}


def analyze_files(paths: Iterable[Path], max_bytes: int, summary_sentences: int) -> Iterator[dict[str, Any]]:
    """One result per file, in order; a file that fails yields ``{"id": path, "error"}`` and the batch goes on."""
    from ..analyze import analyze
    from ..ingest import read_article_file

    for path in paths:
        try:
            article = read_article_file(path, max_bytes)
            yield analysis_record(_printable(str(path)), analyze(article, summary_sentences=summary_sentences))
        except Exception as exc:  # one bad file must never stop the others
            yield {"id": _printable(str(path)), "error": _failure(exc)}


def _count_lines(path: Path) -> int | None:
    try:
        with path.open("rb") as f:
            return sum(1 for line in f if line.strip())
    except OSError:
        return None


def _show(result: dict[str, Any]) -> None:
    """The readable view of one result; a failure goes to stderr. Article text is escaped, never markup."""
    if "error" in result:
        err_console.print(Text(f"{result['id']}: {result['error']}", style="red"), soft_wrap=True)
        return
    console.rule(Text(result["headline"] or "", style="bold"))
    console.print(Text(f"{result['id']} · {result['language']}", style="dim"), soft_wrap=True)
    console.print(f"[bold]Summary:[/] {escape(result['summary'])}", soft_wrap=True)
    for q in result["quotes"]:
        who = q["speaker"] or "unattributed"
        if q["role"]:
            who += f", {q['role']}"
        star = "[yellow]★[/] " if q["key"] else "  "
        console.print(f"{star}“{escape(q['text'])}” — [cyan]{escape(who)}[/]", soft_wrap=True)


def _open_jsonl(name: str) -> IO[bytes]:
    try:
        return open(name, "rb")  # noqa: SIM115 - closed by the caller after the batch; decoded line by line
    except FileNotFoundError:
        raise NotFoundError(f"--jsonl: no such file {name!r}; give a JSON-lines file, or - to read stdin") from None
    except OSError as exc:
        raise IngestError(f"--jsonl: cannot read {name!r} ({exc.strerror}); give a readable JSON-lines file") from None


@app.command()
def analyze(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(None, help="Article files in any queue format."),
    jsonl: str = typer.Option(None, "--jsonl", help='JSON lines {"id", "text", "title"?}; "-" reads stdin.'),
    as_json: bool = typer.Option(False, "--json", help="One JSON line per article (default with --jsonl)."),
    summary_sentences: int = typer.Option(None, "--summary-sentences", "-n", min=1, max=10,
                                          help="Sentences in the summary (default NEWSBOT_SUMMARY_SENTENCES)."),
) -> None:
    """Headline, summary and direct quotes with their speakers, for files or a JSON-lines batch.

    Every article gets its result, in order; one that fails gets an error (a JSON line with an "error" field, or a line on stderr) and the batch goes on. With --json/--jsonl the errors are part of the output and the exit code is 0 once every line is written (a pipeline reads the "error" fields); the readable view exits 1 when any article failed.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    settings = state(ctx).settings
    n = summary_sentences or settings.summary_sentences
    if not files and not jsonl:
        raise typer.BadParameter("give article files, or --jsonl FILE (- for stdin)")
    if jsonl:
        as_json = True
        stream: IO[bytes] | IO[str] = getattr(sys.stdin, "buffer", sys.stdin) if jsonl == "-" else _open_jsonl(jsonl)
        total = None if jsonl == "-" else _count_lines(Path(jsonl))
        results = analyze_jsonl(stream, n)
    else:
        stream = sys.stdin
        total = len(files)
        results = analyze_files(files, settings.max_file_bytes, n)
    progress = Progress(TextColumn("analysing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, transient=True, disable=not err_console.is_terminal)
    failed = 0
    with progress:
        task = progress.add_task("analyse", total=total)
        for result in results:
            failed += "error" in result
            if as_json:
                sys.stdout.write(to_json(result, indent=None) + "\n")
            else:
                _show(result)
            progress.advance(task)
    if stream is not sys.stdin and stream is not getattr(sys.stdin, "buffer", None):
        stream.close()
    # Machine output carries its failures as data: one bad record in a batch of thousands must not make the
    # whole run look failed to the pipeline reading it. A person reading the view gets the exit code.
    if failed and not as_json:
        raise typer.Exit(1)
