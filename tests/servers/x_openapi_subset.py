"""The parts of X's official API v2 OpenAPI document the test X server plays, and how they were cut.

``extract_subset(official)`` keeps the operations listed in ``OPERATIONS`` plus every component they
reach through ``$ref`` (schemas, parameters) and the security schemes they name. The result is committed
as ``x-openapi-subset.json`` so the tests run without the official document; a test re-cuts it from
the official document when that is available and checks both agree.

Regenerate: ``python tests/servers/x_openapi_subset.py /path/to/x-api-v2-openapi.json``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SUBSET_PATH = Path(__file__).with_name("x-openapi-subset.json")

# (path template, method): what tweepy and our adapter call.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("/2/tweets", "post"),
    ("/2/tweets/{id}", "delete"),
    ("/2/tweets/{id}", "get"),
    ("/2/users/me", "get"),
    ("/2/users/{id}/tweets", "get"),
    ("/2/media/upload", "post"),
    ("/2/media/metadata", "post"),
)


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.add(ref)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are supported, got {ref!r}")
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def extract_subset(official: dict[str, Any]) -> dict[str, Any]:
    """The official document cut down to ``OPERATIONS`` and the components they reach."""
    paths: dict[str, Any] = {}
    for template, method in OPERATIONS:
        item = official["paths"][template]
        kept = paths.setdefault(template, {k: v for k, v in item.items() if k == "parameters"})
        kept[method] = item[method]

    components: dict[str, dict[str, Any]] = {}
    pending = sorted(_refs(paths))
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, section, name = ref.split("/", 3)
        target = _resolve(official, ref)
        components.setdefault(section, {})[name] = target
        pending.extend(sorted(_refs(target) - seen))

    schemes = official["components"].get("securitySchemes", {})
    used = {name for op in _operations(paths) for req in op.get("security", []) for name in req}
    components["securitySchemes"] = {name: schemes[name] for name in sorted(used)}

    return {
        "openapi": official["openapi"],
        "info": official.get("info", {}),
        "servers": official.get("servers", []),
        "paths": paths,
        "components": {section: dict(sorted(items.items())) for section, items in sorted(components.items())},
    }


def _operations(paths: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in paths.values() for key, op in item.items() if key != "parameters"]


def load_subset() -> dict[str, Any]:
    with SUBSET_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)  # type: ignore[no-any-return]


def dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/specs/x-api-v2-openapi.json")
    with source.open(encoding="utf-8") as fh:
        SUBSET_PATH.write_text(dump(extract_subset(json.load(fh))), encoding="utf-8")
    print(f"wrote {SUBSET_PATH}")
