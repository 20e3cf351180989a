"""The template loader — the one place composition touches the file system.

Templates are Jinja2 files a newsroom can edit without touching code. Per platform there is a main
post (``x.j2``, ``bluesky.j2``, ``mastodon.j2``) and a thread reply for a quote (``x_quote.j2`` …,
falling back to a shared ``quote.j2``). Undefined variables are errors - a name no template is given as soon
as the template is loaded, whichever branch it sits in, the rest when rendered (StrictUndefined) - and every
template problem becomes a ComposeError naming the file and line.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import regex
from jinja2 import meta, nodes

import bot

from ..errors import ComposeError, TemplateError


def builtin_templates_dir() -> Path:
    """The templates shipped with the project: ``bot/_templates`` in an installed wheel (``setup.py``
    copies them in), else ``templates/`` of the checkout the ``bot`` package runs from."""
    package = Path(bot.__file__).resolve().parent
    shipped = package / "_templates"
    return shipped if shipped.is_dir() else package.parent / "templates"


def resolve_templates_dir(configured: Path | None) -> Path:
    """The configured directory, else ``./templates`` if present, else the built-in templates."""
    if configured is not None:
        return Path(configured)
    local = Path("templates")
    if local.is_dir():
        return local
    return builtin_templates_dir()


# The variables every template is given (``compose._variables``; listed in templates/README.md). A quote
# template also gets ``quote``. A template naming any other is refused when it is loaded, so a typo in a branch
# few articles take ({% if priority == "breaking" %}) shows up on the next article, not on the first breaking one.
TEMPLATE_VARIABLES = frozenset({
    "headline", "summary", "url", "full_url", "key_quote", "quotes", "hashtags", "thread", "index",
    "language", "breaking_label", "outlet", "published", "priority", "platform", "limit",
})
_UNDEFINED_HINT = " (a misspelt variable? see the list of template variables in templates/README.md)"


def _tidy(text: str) -> str:
    """Templates may leave stray spaces and blank lines around optional parts; posts should not."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return regex.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class Templates:
    """The set of post templates in one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise TemplateError(
                f"templates directory {self.directory} does not exist; "
                "set NEWSBOT_TEMPLATES_DIR to a folder with x.j2, bluesky.j2, mastodon.j2 and quote.j2"
            )
        self.env = jinja2.Environment(
            # utf-8-sig: a byte order mark some editors write is not the first character of every post
            loader=jinja2.FileSystemLoader(str(self.directory), encoding="utf-8-sig"),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # plain-text posts, not HTML
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=True,
        )
        self._checked: dict[str, jinja2.Template] = {}

    def _path(self, name: str) -> Path:
        return self.directory / name

    def _get(self, *names: str, known: frozenset[str] = TEMPLATE_VARIABLES) -> jinja2.Template:
        for name in names:
            if self._path(name).is_file():
                try:
                    template = self.env.get_template(name)
                except jinja2.TemplateSyntaxError as exc:
                    where = exc.filename or str(self._path(name))
                    raise TemplateError(f"template {where}, line {exc.lineno}: {exc.message}") from None
                except UnicodeDecodeError as exc:  # saved as Windows-1252 or Latin-1, say
                    line = exc.object[: exc.start].count(b"\n") + 1
                    raise TemplateError(
                        f"template {self._path(name)}, line {line}: not UTF-8 text "
                        f"(byte 0x{exc.object[exc.start]:02x}); save it as UTF-8"
                    ) from None
                if self._checked.get(name) is not template:  # once per version of the file
                    self._check_variables(name, template, known)
                    self._checked[name] = template
                return template
        raise TemplateError(
            f"no template {' or '.join(names)} in {self.directory}; "
            f"copy it from the built-in templates in {builtin_templates_dir()}"
        )

    def _check_variables(self, name: str, template: jinja2.Template, known: frozenset[str]) -> None:
        source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        tree = self.env.parse(source, name, filename)
        # Jinja counts a name set in each branch of an {% if %} as undeclared too: a name the template sets
        # (or loops over, or takes as a macro parameter) anywhere is its own, whatever its scope.
        own = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
        unknown = meta.find_undeclared_variables(tree) - known - own
        if unknown:
            uses = sorted((n.lineno, n.name) for n in tree.find_all(nodes.Name) if n.name in unknown)
            line, variable = uses[0] if uses else (None, sorted(unknown)[0])
            where = template.filename or filename
            raise TemplateError(
                f"template {where}{f', line {line}' if line else ''}: '{variable}' is undefined" + _UNDEFINED_HINT
            )

    def main(self, platform: str) -> jinja2.Template:
        return self._get(f"{platform}.j2")

    def quote(self, platform: str) -> jinja2.Template:
        return self._get(f"{platform}_quote.j2", "quote.j2", known=TEMPLATE_VARIABLES | {"quote"})

    def check(self, platforms: tuple[str, ...] = ("x", "bluesky", "mastodon")) -> None:
        """Load every template once, so a syntax error shows up before any article is composed."""
        for platform in platforms:
            self.main(platform)
            self.quote(platform)

    @staticmethod
    def render(template: jinja2.Template, variables: Mapping[str, Any]) -> str:
        """Render to a tidy post text; any error names the template file and line."""
        try:
            return _tidy(template.render(**variables))
        except jinja2.TemplateError as exc:
            raise ComposeError(_describe(template, exc)) from None
        except Exception as exc:  # a filter or method failing on a value — still the template's line
            raise ComposeError(_describe(template, exc)) from None


_QUOTE_ATTRIBUTE = regex.compile(r"'[\w.]*QuoteVar object' has no attribute '([^']*)'")


def _describe(template: jinja2.Template, exc: BaseException) -> str:
    filename, line = template.filename or template.name or "<template>", None
    # Jinja rewrites tracebacks so template frames carry the template's file name and line.
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == template.filename or frame.filename.endswith(".j2"):
            filename, line = frame.filename, frame.lineno
    message = getattr(exc, "message", None) or str(exc)
    quote_attr = _QUOTE_ATTRIBUTE.search(message)
    if quote_attr:  # not "'bot.compose.fit.QuoteVar object' has no attribute 'txt'"
        fields = "quote.text, quote.speaker, quote.role, quote.open or quote.close"
        message = f"a quote has no '{quote_attr.group(1)}'; use {fields}"
    elif isinstance(exc, jinja2.UndefinedError):
        message += _UNDEFINED_HINT
    where = f"{filename}, line {line}" if line else filename
    return f"template {where}: {message}"


_cache: dict[Path, Templates] = {}


def load_templates(directory: Path | None) -> Templates:
    """Templates from ``directory`` (resolved as in :func:`resolve_templates_dir`), cached per folder.

    Jinja checks each file's modification time, so edits are picked up without a restart.
    """
    path = resolve_templates_dir(directory).resolve()
    if path not in _cache:
        _cache[path] = Templates(path)
    return _cache[path]
