"""dispatch-desktop template list | show | set | reset | preview: the message texts of the team."""

import argparse
import sys
from pathlib import Path

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.output import table
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.message_kinds import DEFAULT_LANGUAGE, PART_LABELS, PARTS
from dispatch_desktop.services import templates
from dispatch_desktop.services.template_views import Preview, TemplateDetail

MAX_FILE_BYTES = 100_000


@cli_args.reads_only
def cmd_template_list(app: App, _args: argparse.Namespace) -> int:
    found = templates.list_templates(app.ctx)
    rows = [
        (
            t.kind,
            t.description,
            ",".join(t.parts),
            ",".join(t.languages) or None,
            f"{t.updated_by} {app.local(t.updated_at)}" if t.updated_by else None,
        )
        for t in found
    ]
    text = table(rows, ["kind", "description", "parts", "overrides", "last changed"])
    app.emit([t.to_json() for t in found], text)
    return 0


def _detail_text(app: App, detail: TemplateDetail) -> str:
    lines = [
        f"{detail.kind}: {detail.description} ({detail.language})",
        f"variables: {', '.join(detail.variables)}",
    ]
    for part in detail.parts:
        where = "override" if part.is_override else "shipped"
        if part.updated_by:
            where += f", last changed by {part.updated_by} {app.local(part.updated_at)}"
        lines += ["", f"--- {part.label} ({where}) ---", part.text.rstrip("\n")]
    return "\n".join(lines)


@cli_args.reads_only
def cmd_template_show(app: App, args: argparse.Namespace) -> int:
    detail = templates.show_template(app.ctx, args.kind, args.language)
    app.emit(detail.to_json(), _detail_text(app, detail))
    return 0


def _read_text(path: str | None) -> str:
    """The template from the file (or stdin), checked to be UTF-8 text of a sane size."""
    try:
        if path is None:
            data = (
                sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
                if hasattr(sys.stdin, "buffer")
                else sys.stdin.read().encode("utf-8", "surrogateescape")
            )
        else:
            with Path(path).open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise ValidationError(
            f"cannot read the template file: {getattr(exc, 'strerror', None) or exc}", "file"
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(f"the template file is over {MAX_FILE_BYTES} bytes", "file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("the template file is not UTF-8 text", "file") from None


def cmd_template_set(app: App, args: argparse.Namespace) -> int:
    text = _read_text(args.file)
    detail = templates.set_part(app.ctx, args.kind, args.part, args.language, text)
    part = detail.part(args.part)
    app.emit(
        detail.to_json(),
        f"saved the {detail.description} {part.label} ({detail.language}); every workstation uses it from now on",
    )
    return 0


def cmd_template_reset(app: App, args: argparse.Namespace) -> int:
    before = templates.show_template(app.ctx, args.kind, args.language)
    detail = templates.reset(app.ctx, args.kind, args.part, args.language)
    undone = [p.label for p in before.parts if p.is_override and not detail.part(p.part).is_override]
    what = ", ".join(undone)
    text = (
        f"reset the {detail.description} {what} ({detail.language}) to the shipped text"
        if undone
        else f"nothing to reset: the {detail.description} ({detail.language}) has no override there"
    )
    app.emit(detail.to_json(), text)
    return 0


def _preview_text(preview: Preview) -> str:
    lines = [f"{preview.kind} ({preview.language}) for {preview.booking}"]
    if preview.sms is not None:
        ucs2 = f", first UCS-2 character {preview.first_ucs2_char!r}" if preview.first_ucs2_char else ""
        lines += [
            f"--- SMS: {preview.sms_length} characters, {preview.sms_encoding}{ucs2}, "
            f"{preview.sms_segments} segment(s) ---",
            preview.sms,
        ]
    if preview.subject is not None:
        lines += [f"--- {PART_LABELS['subject']} ---", preview.subject]
    if preview.text is not None:
        lines += [f"--- {PART_LABELS['text']} ---", preview.text.rstrip("\n")]
    if preview.html is not None:
        lines += [f"--- {PART_LABELS['html']}: {len(preview.html)} characters (--json shows it) ---"]
    if preview.invite is not None:
        lines += [f"--- calendar invite: {preview.invite} ---"]
    return "\n".join(lines)


@cli_args.reads_only
def cmd_template_preview(app: App, args: argparse.Namespace) -> int:
    preview = templates.preview(app.ctx, args.kind, args.language, args.booking)
    app.emit(preview.to_json(), _preview_text(preview))
    return 0


def register(cli: Commands) -> None:
    tp = cli.group("template", "message texts: the shipped defaults and the team's overrides")
    language_help = f"two-letter language code (default {DEFAULT_LANGUAGE})"
    cli.command(tp, "list", cmd_template_list, "list the message kinds and their overrides")
    c = cli.command(tp, "show", cmd_template_show, "show a kind's texts and the variables it may use")
    c.add_argument("kind", help="message kind, e.g. customer_confirmation")
    c.add_argument("--language", default=DEFAULT_LANGUAGE, help=language_help)
    c = cli.command(tp, "set", cmd_template_set, "override one part of a kind (supervisors)")
    c.add_argument("kind", help="message kind, e.g. customer_confirmation")
    c.add_argument("--part", required=True, metavar="|".join(PARTS), help="which part to override")
    c.add_argument("--language", default=DEFAULT_LANGUAGE, help=language_help)
    c.add_argument("--file", metavar="PATH", help="the template text (UTF-8); without it, read from stdin")
    c = cli.command(tp, "reset", cmd_template_reset, "back to the shipped text (supervisors)")
    c.add_argument("kind", help="message kind, e.g. customer_confirmation")
    c.add_argument("--part", metavar="|".join(PARTS), help="only this part (default: every part)")
    c.add_argument("--language", default=DEFAULT_LANGUAGE, help=language_help)
    c = cli.command(tp, "preview", cmd_template_preview, "render a kind for the sample or a real booking")
    c.add_argument("kind", help="message kind, e.g. customer_confirmation")
    c.add_argument("--language", default=DEFAULT_LANGUAGE, help=language_help)
    c.add_argument("--booking", type=cli_args.record_id, metavar="ID", help="render for this booking")
