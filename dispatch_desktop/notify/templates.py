"""Message texts from the Jinja2 templates in resources/templates, rendered in a sandbox.

Each message kind is a folder with sms.txt, subject.txt, email.txt and email.html.
SMS bodies are kept within two segments; emails carry a plain-text and an HTML part.
Templates are read through importlib.resources, so a wheel, a checkout and the bundle all find them.

A supervisor's override of a part (kept in the shared database) is handed in by the services as
`overrides`; this module never reads the database. Each part resolves as: the override for the
language, the shipped file for the language (`resources/templates/<lang>/<kind>/...`, partials
at `<lang>/_booking.txt`), the override for English, the shipped English file.
"""

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from dispatch_desktop.config import ResourcesUnavailableError, resources
from dispatch_desktop.domain import sms_segments
from dispatch_desktop.domain.message_kinds import DEFAULT_LANGUAGE, HTML, PART_FILES, SMS, SUBJECT, TEXT

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment

log = logging.getLogger(__name__)

# (part, language) -> a supervisor's template text, for one kind.
Overrides = Mapping[tuple[str, str], str]
NO_OVERRIDES: Overrides = {}


@dataclass(frozen=True)
class Rendered:
    sms: str
    subject: str
    text: str
    html: str


class TemplateUnavailableError(ResourcesUnavailableError):
    """A shipped message template is missing, unreadable or broken."""


def templates_root() -> Traversable:
    return resources() / "templates"


def _unavailable(name: str, problem: str) -> TemplateUnavailableError:
    return TemplateUnavailableError(
        f"message template {name} {problem} ({templates_root()}); reinstall dispatch-desktop"
    )


def _source(name: str) -> str | None:
    steps = name.split("/")
    if any(step in ("", ".", "..") or "\\" in step for step in steps):
        return None  # an include may only name a shipped file, never climb out of the folder
    entry = templates_root().joinpath(*steps)
    try:
        return entry.read_text(encoding="utf-8") if entry.is_file() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise _unavailable(name, f"cannot be read: {exc}") from None


def shipped_source(name: str, language: str = DEFAULT_LANGUAGE) -> str | None:
    """A shipped file's text in `language`, else in English; None when there is none."""
    if language != DEFAULT_LANGUAGE:
        found = _source(f"{language}/{name}")
        if found is not None:
            return found
    return _source(name)


@lru_cache(maxsize=8)
def _environment(language: str = DEFAULT_LANGUAGE) -> "SandboxedEnvironment":
    # jinja2 loads with the first message rendered, not when the console starts.
    from jinja2 import FunctionLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=FunctionLoader(lambda name: shipped_source(name, language)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@contextmanager
def _reported(name: str) -> Iterator[None]:
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

    try:
        yield
    except TemplateNotFound as exc:
        # jinja2 types the name `str | Undefined`; an Undefined one never names the missing file.
        missing = exc.name if isinstance(exc.name, str) and exc.name else name
        raise _unavailable(missing, "is missing") from None
    except TemplateSyntaxError as exc:
        raise _unavailable(exc.name or name, f"is broken at line {exc.lineno}: {exc.message}") from None
    except TemplateError as exc:
        raise _unavailable(name, f"cannot be rendered: {exc}") from None


def override_name(part: str) -> str:
    """The name an override compiles under: its file's extension decides autoescaping (HTML)."""
    return f"override:{PART_FILES[part]}"


@lru_cache(maxsize=256)
def compiled(source: str, part: str, language: str = DEFAULT_LANGUAGE) -> "Template":
    """An override's text compiled in the language's sandbox; TemplateSyntaxError when broken."""
    environment = _environment(language)
    code = environment.compile(source, override_name(part), override_name(part))
    return environment.template_class.from_code(environment, code, environment.make_globals(None))


def _render_file(name: str, language: str, context: dict[str, Any]) -> str:
    with _reported(name):
        return _environment(language).get_template(name).render(**context).strip()


def _render_override(source: str, part: str, language: str, context: dict[str, Any]) -> str | None:
    """An override rendered, or None when it no longer renders (a shipped partial changed under
    it, say): the message then goes with the shipped text rather than not at all."""
    from jinja2 import TemplateError

    try:
        return compiled(source, part, language).render(**context).strip()
    except TemplateError as exc:
        log.warning("a message template override does not render (%s); the shipped text is used", exc)
        return None


def render_part(
    kind: str,
    part: str,
    *,
    language: str = DEFAULT_LANGUAGE,
    overrides: Overrides | None = None,
    **context: Any,
) -> str:
    """One part of a kind, by the resolution order above, stripped (not yet fitted into segments)."""
    overrides = overrides or NO_OVERRIDES
    name = f"{kind}/{PART_FILES[part]}"
    own = overrides.get((part, language))
    if own is not None:
        text = _render_override(own, part, language, context)
        if text is not None:
            return text
    if language != DEFAULT_LANGUAGE and _source(f"{language}/{name}") is not None:
        return _render_file(name, language, context)
    english = overrides.get((part, DEFAULT_LANGUAGE))
    if english is not None and language != DEFAULT_LANGUAGE:
        text = _render_override(english, part, DEFAULT_LANGUAGE, context)
        if text is not None:
            return text
    return _render_file(name, DEFAULT_LANGUAGE, context)


def _names(folder: Traversable, prefix: str = "") -> Iterator[str]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            yield from _names(entry, f"{prefix}{entry.name}/")
        elif entry.is_file():
            yield prefix + entry.name


def compile_all() -> int:
    """Parse and compile every shipped template; how many there are (TemplateUnavailableError if broken)."""
    root = templates_root()
    names = list(_names(root)) if root.is_dir() else []
    if not names:
        raise TemplateUnavailableError(f"no message templates in {root}; reinstall dispatch-desktop")
    for name in names:
        with _reported(name):
            _environment().get_template(name)
    return len(names)


def render_sms(
    kind: str, *, language: str = DEFAULT_LANGUAGE, overrides: Overrides | None = None, **context: Any
) -> str:
    return sms_segments.fit(render_part(kind, SMS, language=language, overrides=overrides, **context))


def render(
    kind: str, *, language: str = DEFAULT_LANGUAGE, overrides: Overrides | None = None, **context: Any
) -> Rendered:
    def part(name: str, extra: dict[str, Any] | None = None) -> str:
        return render_part(kind, name, language=language, overrides=overrides, **context, **(extra or {}))

    subject = " ".join(part(SUBJECT).split())
    return Rendered(
        sms=sms_segments.fit(part(SMS)),
        subject=subject,
        text=part(TEXT) + "\n",
        html=part(HTML, {"subject": subject}) + "\n",
    )
