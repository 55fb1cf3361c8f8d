"""Message texts from the Jinja2 templates in resources/templates, rendered in a sandbox.

Each message kind is a folder with sms.txt, subject.txt, email.txt and email.html.
SMS bodies are kept within two segments; emails carry a plain-text and an HTML part.
Templates are read through importlib.resources, so a wheel, a checkout and the bundle all find them.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from dispatch_desktop.config import ResourcesUnavailableError, resources
from dispatch_desktop.domain import sms_segments

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment


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
    entry = templates_root().joinpath(*name.split("/"))
    try:
        return entry.read_text(encoding="utf-8") if entry.is_file() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise _unavailable(name, f"cannot be read: {exc}") from None


def _language_source(name: str, language: str) -> str | None:
    """A template of `language` (its folder's file, partials too), else the English one."""
    own = _source(f"{language}/{name}") if language != "en" else None
    return own if own is not None else _source(name)


@lru_cache(maxsize=8)  # one per language
def _environment(language: str = "en") -> "SandboxedEnvironment":
    # jinja2 loads with the first message rendered, not when the console starts.
    from jinja2 import FunctionLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=FunctionLoader(lambda name: _language_source(name, language)),
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


def _render(name: str, language: str, context: dict[str, Any]) -> str:
    with _reported(name):
        return _environment(language).get_template(name).render(**context).strip()


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


def render(kind: str, *, language: str = "en", **context: Any) -> Rendered:
    subject = " ".join(_render(f"{kind}/subject.txt", language, context).split())
    return Rendered(
        sms=sms_segments.fit(_render(f"{kind}/sms.txt", language, context)),
        subject=subject,
        text=_render(f"{kind}/email.txt", language, context) + "\n",
        html=_render(f"{kind}/email.html", language, {**context, "subject": subject}) + "\n",
    )
