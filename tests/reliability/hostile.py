"""Hostile queue files: everything a newsroom's inbox can throw at the daemon, and a few things an attacker
might. Each is (file name, content as bytes, or None for something that is not a regular file)."""

from __future__ import annotations

import json
import os
from pathlib import Path

GOOD_BODY = ("The council approved the new budget on Monday after a long debate about housing and transport. "
             "Members voted twelve to five in favour of the plan.")


def _md(front: str, body: str = GOOD_BODY) -> bytes:
    return f"---\n{front}\n---\n\n{body}\n".encode()


def hostile_files() -> list[tuple[str, bytes]]:
    nested = "<div>" * 100_000 + "deep text" + "</div>" * 100_000
    return [
        ("empty.txt", b""),
        ("whitespace-only.txt", b" \n\t\n   \r\n"),
        ("binary-noise.txt", bytes(range(256)) * 64),
        ("png-named-txt.txt", b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + os.urandom(2048)),
        ("invalid-utf8.txt", b"Budget vote\n\nThe council \xff\xfe\xfa approved \xc3\x28 the plan \xed\xa0\x80 today.\n"),
        ("nul-bytes.txt", b"Budget vote\n\nThe council\x00 approved\x00 the plan today.\x00\n" * 3),
        ("utf16-without-bom.txt", "Budget vote\n\nThe council approved the plan on Monday.\n".encode("utf-16-le")),
        ("too-large-50mb.txt", b"Budget vote\n\n" + b"The council approved the plan. " * (50 * 1024 * 1024 // 31)),
        ("deeply-nested.html", f"<html><body>{nested}</body></html>".encode()),
        ("script-only.html", b"<html><head><script>alert(1)</script></head><body><script>document.write('x')</script>"
                             b"<noscript>enable js</noscript></body></html>"),
        ("tags-only.html", b"<html><body><nav><a href='/'>Home</a></nav><footer>(c) 2026</footer></body></html>"),
        ("unterminated-front-matter.md", b"---\ntitle: Budget vote\nurl: https://news.example.org/a\n\n" + GOOD_BODY.encode()),
        ("invalid-yaml.md", _md("title: [unclosed\nurl: : : :\n\t- tabbed")),
        ("front-matter-is-a-list.md", _md("- one\n- two")),
        ("yaml-billion-laughs.md", _md("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
                                      "title: *d")),
        ("yaml-python-tag.md", _md("title: !!python/object/apply:os.system ['echo pwned']")),
        ("wrong-types.json", json.dumps({"title": 5, "text": ["not", "a", "string"], "tags": "x"}).encode()),
        ("list.json", json.dumps([{"title": "a", "text": "b"}]).encode()),
        ("broken.json", b'{"title": "Budget", "text": "The council'),
        ("null-text.json", json.dumps({"title": "Budget vote", "text": None}).encode()),
        ("deeply-nested.json", b"[" * 100_000 + b"]" * 100_000),
        ("lone-surrogate.json", b'{"title": "Budget \\ud800 vote", "text": "The council \\udfff approved the plan today. '
                                b'Members voted in favour."}'),
        ("impossible-dates.json", json.dumps({"title": "Budget vote", "text": GOOD_BODY, "published": "99999-99-99",
                                              "embargo": "yesterday-ish"}).encode()),
        ("control-characters.txt", ("Budget\x07 vote\x1b[31m red\n\nThe council\x08\x08 approved\x0b the plan\x0c on "
                                    "Monday.\x1b]0;title\x07 Members voted in favour.\n").encode()),
        ("rtl-override.txt", ("Budget vote \u202egnp.exe\u202c today\n\nThe council \u202eapproved\u202c the plan "
                              "\u2066on\u2069 Monday. Members voted in favour.\n").encode()),
        ("ten-thousand-char-line.txt", ("Budget vote\n\n" + "word " * 2000 + "\n").encode()),
        ("quotation-never-closed.txt", ("Budget vote\n\n\u201cThis plan will change the city, said the mayor on Monday, "
                                        "and members voted in favour. " * 20 + "\n").encode()),
        ("quotes-only.txt", ("Budget vote\n\n" + "\u201c\u201d\u201c\u201d\"\"\u00ab\u00bb" * 300 + "\n").encode()),
        ("link-only.txt", b"https://news.example.org/only-a-link\n"),
        ("title-only.txt", b"Budget vote\n"),
        ("zero-width-everywhere.txt", ("Bud\u200bget\u200d vote\ufeff\n\nThe\u200b council\u200c approved\u2060 the "
                                       "plan on Monday. Members voted in favour.\n").encode()),
        ("emoji-flood.txt", ("Budget vote " + "\U0001F525" * 500 + "\n\n" + "\U0001F468\u200d\U0001F469\u200d\U0001F467"
                             * 400 + " The council approved the plan.\n").encode()),
        ("five-thousand-char-title.md", _md("title: " + "Budget " * 700)),
        ("script-in-title.md", _md('title: "<script>alert(1)</script><img src=x onerror=alert(2)>"\n'
                                   "url: javascript:alert(3)")),
        ("carriage-returns-only.txt", b"Budget vote\r\rThe council approved the plan on Monday.\rMembers voted.\r"),
        ("unsupported.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
        ("-rf name.txt", b"Budget vote\n\nThe council approved the plan on Monday. Members voted in favour.\n"),
    ]


def write_hostile(queue: Path) -> list[str]:
    """Write the hostile files, a directory with an article's suffix and a symlink that leads out of the
    queue; returns every name written."""
    queue.mkdir(parents=True, exist_ok=True)
    names = []
    for name, data in hostile_files():
        (queue / name).write_bytes(data)
        names.append(name)
    (queue / "folder.txt").mkdir()
    names.append("folder.txt")
    outside = queue.parent / "outside-secret.txt"
    outside.write_text("Private notes\n\nThis file is outside the queue and must never be published.\n")
    (queue / "symlink-out.txt").symlink_to(outside)
    names.append("symlink-out.txt")
    return names
