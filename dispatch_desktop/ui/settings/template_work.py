"""What the Templates page asks the services on a worker, and the words it shows for the answers.

No widgets here (templates_page.py shows them); each function runs off the UI thread.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication

from dispatch_desktop.domain.errors import DispatchError
from dispatch_desktop.domain.message_kinds import PART_LABELS
from dispatch_desktop.services import templates
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.template_views import PartDetail, Preview, TemplateDetail


def tr(text: str) -> str:
    return QCoreApplication.translate("TemplatesPage", text)


@dataclass(frozen=True)
class Shown:
    """One kind in one language as loaded, with the team's zone its times are read in."""

    detail: TemplateDetail
    zone: ZoneInfo
    history: tuple[str, ...] = ()  # the latest changes of the kind in the language, newest first


@dataclass(frozen=True)
class PreviewRequest:
    kind: str
    language: str
    booking_id: int | None
    drafts: Mapping[str, str]


@dataclass(frozen=True)
class PreviewAnswer:
    request: PreviewRequest
    preview: Preview
    refused: str | None  # the part whose draft the preview refused, when it did


@dataclass(frozen=True)
class SaveOutcome:
    saved: tuple[str, ...]  # the parts stored, in the order they were tried
    refused: str | None = None  # the part the service refused, and why
    error: DispatchError | None = None


HISTORY_SHOWN = 8


def load_kind(ctx: ServiceContext, kind: str, language: str) -> Shown:
    zone = ZoneInfo(ctx.team_settings().timezone_name)
    changes = [change for change in templates.changes(ctx, kind) if change.language == language]
    history = tuple(
        f"{change.at.astimezone(zone):%Y-%m-%d %H:%M} {change.sentence}" for change in reversed(changes)
    )
    return Shown(templates.show_template(ctx, kind, language), zone, history[:HISTORY_SHOWN])


def save_drafts(ctx: ServiceContext, kind: str, language: str, drafts: Mapping[str, str]) -> SaveOutcome:
    saved: list[str] = []
    for part, text in drafts.items():
        try:
            templates.set_part(ctx, kind, part, language, text)
        except DispatchError as exc:  # the parts before it stay saved; this draft stays in its editor
            return SaveOutcome(tuple(saved), part, exc)
        saved.append(part)
    return SaveOutcome(tuple(saved))


def preview_drafts(ctx: ServiceContext, request: PreviewRequest | None) -> PreviewAnswer | None:
    if request is None:
        return None
    preview = templates.preview(
        ctx, request.kind, request.language, request.booking_id, request.drafts or None
    )
    refused = None
    if preview.error is not None:  # which draft: the one that is refused on its own
        refused = next(
            (
                part
                for part, text in request.drafts.items()
                if len(request.drafts) == 1
                or templates.preview(
                    ctx, request.kind, request.language, request.booking_id, {part: text}
                ).error
            ),
            None,
        )
    return PreviewAnswer(request, preview, refused)


def _when(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    if local.date() == datetime.now(zone).date():
        return tr("at %s") % local.strftime("%H:%M")
    return tr("on %s") % local.strftime("%Y-%m-%d %H:%M")


def changed_note(part: PartDetail, zone: ZoneInfo) -> str:
    """Who changed the part last and when: "Changed by Sam Rivera at 09:12"."""
    if part.updated_by is None or part.updated_at is None:
        return tr("Shipped default")
    if part.is_override:
        return tr("Changed by %s %s") % (part.updated_by, _when(part.updated_at, zone))
    return tr("Shipped default (reset by %s %s)") % (part.updated_by, _when(part.updated_at, zone))


def refusal(part: str | None, error: str) -> str:
    """The line under the editor: which part is refused, and why."""
    return f"{PART_LABELS[part] if part else tr('Draft')}: {error}"


def revert_part(ctx: ServiceContext, kind: str, part: str, language: str) -> Shown:
    templates.reset(ctx, kind, part, language)
    return load_kind(ctx, kind, language)
