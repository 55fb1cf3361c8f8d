"""Settings page (supervisors only): the message templates, one kind at a time, in one language.

The kinds on the left; on the right a tab per part (SMS, subject, plain text, HTML), the variables
the kind may use (a click inserts `{{ name }}` at the cursor), and a preview rendered on a worker
from a sample booking or a real one, a moment after the typing stops. Save (or Ctrl+S) keeps a
refused draft in its editor with the service's one-line reason under it; Revert asks first.
Another workstation's save reloads the kind, but a part typed in here keeps what is typed.
"""

from collections.abc import Callable, Mapping
from functools import partial

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QListWidgetItem, QMessageBox, QWidget

from dispatch_desktop.domain.message_kinds import PART_LABELS, SMS, kind_spec
from dispatch_desktop.domain.sms_segments import SegmentCount
from dispatch_desktop.domain.team import parse_booking_reference
from dispatch_desktop.services import templates
from dispatch_desktop.services.template_views import Preview, TemplateSummary
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.discard import ask_before, ask_to_discard
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import plain_tip
from dispatch_desktop.ui.kit.poller import Poller
from dispatch_desktop.ui.settings.template_work import (
    PreviewAnswer,
    PreviewRequest,
    SaveOutcome,
    Shown,
    changed_note,
    load_kind,
    preview_drafts,
    refusal,
    revert_part,
    save_drafts,
)
from dispatch_desktop.ui.settings.templates_view import TemplatesView

PREVIEW_DELAY_MS = 300  # the preview follows the typing once it pauses this long
REFRESH_ON = Change.SETTINGS


def tr(text: str) -> str:
    return QCoreApplication.translate("TemplatesPage", text)


class TemplatesPage(TemplatesView):
    loaded = Signal()  # a kind's texts are in the editors
    previewed = Signal()  # a preview arrived and is shown
    saved = Signal(object)  # a SaveOutcome

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)  # the widgets, laid out (templates_view.py)
        self.console = console
        self.summaries: list[TemplateSummary] = []
        self.shown: Shown | None = None
        self.kind: str | None = None
        self.stored: dict[str, str] = {}  # each part's text as loaded: what "edited" compares with
        self.last_preview: Preview | None = None  # the last one that rendered
        self._request: PreviewRequest | None = None
        self.refused: str | None = None  # the part whose draft the last preview refused
        self.refused_count: SegmentCount | None = None  # its SMS's cost, when its length is why
        self.question: QMessageBox | None = None

        self.kinds.currentItemChanged.connect(self._kind_chosen)
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.booking.editingFinished.connect(self._schedule_preview)
        self.parts.edited.connect(self._edited)
        self.parts.currentChanged.connect(lambda _index: self._part_shown())
        self.variables.chosen.connect(self.parts.insert)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.ask_revert)
        QShortcut(
            QKeySequence.StandardKey.Save, self, self.save, Qt.ShortcutContext.WidgetWithChildrenShortcut
        )

        self._timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self._preview_now)
        self.previews = Poller(
            self, console.ops, self._preview_work, self._previewed, self.problem.show_error
        )
        console.ops.changed.connect(self._data_changed)
        self._update_buttons()
        self._stale = True  # the settings dialog opens often: the templates load once looked at

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self._refresh()

    # --- the kinds ------------------------------------------------------------------------

    def reload(self) -> None:
        work = partial(templates.list_templates, self.console.ctx)
        run_for(self, self.console.ops, work, self._listed, self.message.show_error)

    def _listed(self, summaries: list[TemplateSummary]) -> None:
        self.summaries = summaries
        self.kinds.show_summaries(summaries, self.kind)
        self.language.show_languages(summaries)
        if self.kind is None and self.kinds.count():
            self.kinds.setCurrentRow(0)

    def current_language(self) -> str:
        return self.language.code()

    def _kind_chosen(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self._move_to(current.data(Qt.ItemDataRole.UserRole), self.current_language())

    def _language_chosen(self, _index: int) -> None:
        if self.kind is not None:
            self._move_to(self.kind, self.current_language())

    def _move_to(self, kind: str, code: str) -> None:
        """`kind` in language `code`; with edits, asked first and back on the one shown unless told."""
        here = self.kind, self.shown.detail.language if self.shown else code
        self._leave(partial(self.open_kind, kind, code), partial(self._select, *here))

    def _select(self, kind: str | None, code: str) -> None:
        self.kinds.select_quietly(kind)
        self.language.select_quietly(code)

    def _leave(self, go: Callable[[], None], stay: Callable[[], None]) -> None:
        """Go on at once when nothing is typed; else ask, and stay where the edits are unless told."""
        if not self.edited():
            go()
            return
        stay()

        def discard() -> None:
            self.stored = self.parts.texts()  # nothing is edited any more
            go()

        self.question = ask_to_discard(
            self, tr("The changes to this template are not saved. Discard them?"), discard
        )

    def confirm_leave(self, go: Callable[[], None]) -> None:
        """For the dialog's Close: ask before typed template changes are lost."""
        self._leave(go, lambda: None)

    # --- one kind -------------------------------------------------------------------------

    def open_kind(self, kind: str, code: str) -> None:
        self.kind = kind
        self._select(kind, code)
        self._reload_kind(keep=())

    def _reload_kind(self, keep: tuple[str, ...]) -> None:
        ctx, kind, language = self.console.ctx, self.kind, self.current_language()
        if kind is None:
            return
        run_for(
            self,
            self.console.ops,
            lambda: load_kind(ctx, kind, language),
            lambda shown: self._show_kind(shown, keep),
            self.message.show_error,
        )

    def _show_kind(self, shown: Shown, keep: tuple[str, ...]) -> None:
        """The loaded kind in the editors; the parts in `keep` keep what is typed in them."""
        detail = shown.detail
        if detail.kind != self.kind or detail.language != self.current_language():
            return  # an answer for a kind or language left meanwhile
        typed, parts = self.parts.texts(), tuple(part.part for part in detail.parts)
        previous, self.shown = self.shown, shown
        self.stored = {part.part: part.text for part in detail.parts}
        self.parts.show_parts(parts)
        self.parts.set_texts({part: typed[part] if part in keep else self.stored[part] for part in parts})
        self.title.setText(f"{detail.description.capitalize()} ({detail.kind})")
        if (
            previous is None
            or previous.detail.kind != detail.kind
            or previous.detail.language != detail.language
        ):
            self._schedule_preview()  # another kind or language: its preview
        self._part_shown()
        self.loaded.emit()

    def _show_changed(self) -> None:
        if self.shown is not None:
            part = self.shown.detail.part(self.parts.current_part())
            self.changed.setText(changed_note(part, self.shown.zone))
            self.changed.setToolTip(plain_tip("\n".join(self.shown.history)))

    def edited(self) -> bool:
        return self.shown is not None and self.parts.texts() != self.stored

    def drafts(self) -> dict[str, str]:
        typed = self.parts.texts()
        return {part: text for part, text in typed.items() if text != self.stored.get(part)}

    def _edited(self) -> None:
        self._update_buttons()
        self._schedule_preview()

    def _update_buttons(self) -> None:
        detail = self.shown.detail if self.shown else None
        self.save_button.setEnabled(self.edited())
        part = detail.part(self.parts.current_part()) if detail else None
        self.revert_button.setEnabled(bool(part and part.is_override))

    def _data_changed(self, what: Change) -> None:
        if not what & REFRESH_ON:
            return
        if self.isVisible():
            self._refresh()
        else:  # every change anywhere says Change.ALL: a hidden page reloads once shown
            self._stale = True

    def _refresh(self) -> None:
        self.reload()
        self._reload_kind(keep=tuple(self.drafts()))  # what is typed stays, the other parts follow

    # --- the preview ----------------------------------------------------------------------

    def _schedule_preview(self) -> None:
        if self.kind is not None:
            self._timer.start()

    def _preview_now(self) -> None:
        if self.kind is None:
            return
        text = self.booking.text().strip()
        booking_id = parse_booking_reference(text) if text else None
        if text and booking_id is None:
            self.problem.show_error(tr("%r is not a booking reference (type one such as BK-000123)") % text)
            return
        self._request = PreviewRequest(self.kind, self.current_language(), booking_id, self.drafts())
        self.previews.poll()

    def _preview_work(self) -> PreviewAnswer | None:  # on a worker: the newest request by then
        return preview_drafts(self.console.ctx, self._request)

    def _previewed(self, answer: PreviewAnswer | None) -> None:
        if answer is None or answer.request != self._request:
            return  # a newer request is out, or comes once this answer is in
        error, refused = answer.preview.error, answer.refused
        if error is None:
            self.last_preview = answer.preview
            self.problem.clear_message()
        else:
            self.problem.show_error(refusal(refused, error))
        self.refused = (refused or SMS) if error is not None else None
        self.refused_count = answer.preview.sms_count() if error is not None else None
        self._show_preview()
        self.previewed.emit()

    def _part_shown(self) -> None:
        if self.kind is not None:  # the HTML part may also name the subject
            self.variables.show_variables(kind_spec(self.kind).variables_of(self.parts.current_part()))
        self._show_preview()

    def _show_preview(self) -> None:
        self._show_changed()
        self._update_buttons()
        typed = self.parts.editors[SMS].toPlainText()
        part = self.parts.current_part()
        self.preview.show_preview(self.last_preview, part, self.refused, typed, self.refused_count)

    # --- save and revert ------------------------------------------------------------------

    def save(self) -> None:
        drafts, kind, language, ctx = self.drafts(), self.kind, self.current_language(), self.console.ctx
        if not drafts or kind is None:
            return
        self.save_button.setEnabled(False)
        self.message.show_info(tr("Saving…"))
        run_for(
            self,
            self.console.ops,
            lambda: save_drafts(ctx, kind, language, drafts),
            lambda outcome: self._saved(outcome, drafts),
            self._save_failed,
        )

    def _saved(self, outcome: SaveOutcome, drafts: Mapping[str, str]) -> None:
        for part in outcome.saved:
            self.stored[part] = drafts[part]
        if outcome.error is not None and outcome.refused is not None:
            self.parts.show_part(outcome.refused)
            self.problem.show_error(refusal(outcome.refused, one_line(outcome.error)))
            self.message.show_error(
                tr("Not saved: the %s as typed is refused.") % PART_LABELS[outcome.refused]
            )
        else:
            self.message.show_info(tr("Saved. Every workstation uses it from now on."))
        self._update_buttons()
        if outcome.saved:  # this page reloads too: who changed it and when
            self.console.ops.changed.emit(Change.SETTINGS)
        self.saved.emit(outcome)

    def _save_failed(self, error: Exception) -> None:
        self._update_buttons()
        self.message.show_error(error)

    def ask_revert(self) -> None:
        if self.shown is None or self.kind is None:
            return
        part = self.parts.current_part()
        self.question = ask_before(
            self,
            tr("Revert to the shipped default?"),
            tr("The %s of the %s (%s) goes back to the text shipped with the program, for every workstation.")
            % (PART_LABELS[part], self.shown.detail.description, self.current_language()),
            tr("&Keep it"),
            tr("&Revert"),
            lambda: self.revert(part),
        )

    def revert(self, part: str) -> None:
        ctx, kind, language = self.console.ctx, self.kind, self.current_language()
        if kind is None:
            return
        keep = tuple(p for p in self.drafts() if p != part)

        def done(shown: Shown) -> None:
            self._show_kind(shown, keep)
            self.message.show_info(tr("Back to the shipped default."))

        work = partial(revert_part, ctx, kind, part, language)
        run_for(self, self.console.ops, work, done, self.message.show_error, changes=Change.SETTINGS)
