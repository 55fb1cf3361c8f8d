"""Settings page (supervisors only): the message templates, one kind at a time, in one language.

The kinds on the left; on the right a tab per part (SMS, subject, plain text, HTML), the variables
the kind may use (a click inserts `{{ name }}` at the cursor), and a preview rendered on a worker
from a sample booking or a real one, a moment after the typing stops. Save keeps a refused draft
in its editor with the service's one-line reason under it; Revert asks first. Another
workstation's save reloads the kind, but a part typed in here keeps what is typed.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.errors import DispatchError
from dispatch_desktop.domain.message_kinds import DEFAULT_LANGUAGE, HTML, PART_LABELS, SMS
from dispatch_desktop.domain.sms_segments import SegmentCount
from dispatch_desktop.domain.team import parse_booking_reference
from dispatch_desktop.services import templates
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.template_views import PartDetail, Preview, TemplateDetail, TemplateSummary
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.discard import ask_to_discard
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.message_line import MessageLine
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel, message_box
from dispatch_desktop.ui.kit.poller import Poller
from dispatch_desktop.ui.kit.sms_meter import SmsMeter
from dispatch_desktop.ui.settings.template_editor import HtmlPreview, PartEditors, VariableList

PREVIEW_DELAY_MS = 300  # the preview follows the typing once it pauses this long
KIND_ROLE = Qt.ItemDataRole.UserRole
KINDS_WIDTH = 230
LANGUAGES = (DEFAULT_LANGUAGE, "es")  # the shipped ones; any other with an override is added
REFRESH_ON = Change.SETTINGS


def tr(text: str) -> str:
    return QCoreApplication.translate("TemplatesPage", text)


@dataclass(frozen=True)
class Shown:
    """One kind in one language as loaded, with the team's zone its times are read in."""

    detail: TemplateDetail
    zone: ZoneInfo


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


def _load(ctx: ServiceContext, kind: str, language: str) -> Shown:
    return Shown(templates.show_template(ctx, kind, language), ZoneInfo(ctx.team_settings().timezone_name))


def _save(ctx: ServiceContext, kind: str, language: str, drafts: Mapping[str, str]) -> SaveOutcome:
    saved: list[str] = []
    for part, text in drafts.items():
        try:
            templates.set_part(ctx, kind, part, language, text)
        except DispatchError as exc:  # the parts before it stay saved; this draft stays in its editor
            return SaveOutcome(tuple(saved), part, exc)
        saved.append(part)
    return SaveOutcome(tuple(saved))


def _previewed_as(ctx: ServiceContext, request: PreviewRequest) -> PreviewAnswer:
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


def refusal(label: str, error: str) -> str:
    return f"{label}: {error}"


class TemplatesPage(QWidget):
    loaded = Signal()  # a kind's texts are in the editors
    previewed = Signal()  # a preview arrived and is shown
    saved = Signal(object)  # a SaveOutcome

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.summaries: list[TemplateSummary] = []
        self.shown: Shown | None = None
        self.kind: str | None = None
        self.stored: dict[str, str] = {}  # each part's text as loaded: what "edited" compares with
        self.last_preview: Preview | None = None  # the last one that rendered
        self._request: PreviewRequest | None = None
        self.sms_refused = False  # the SMS draft as typed is refused: the meter says so
        self.question: QMessageBox | None = None

        self.kinds = QListWidget()
        self.kinds.setObjectName("templateKinds")
        self.kinds.setWordWrap(True)
        self.kinds.currentItemChanged.connect(self._kind_chosen)
        kinds_label = PlainLabel(tr("&Message kinds"))
        kinds_label.setBuddy(self.kinds)
        self.language = QComboBox()
        self.language.setObjectName("templateLanguage")
        self.language.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.booking = QLineEdit()
        self.booking.setObjectName("templateBooking")
        self.booking.setPlaceholderText(tr("the sample booking, or a reference: BK-000123"))
        self.booking.editingFinished.connect(self._schedule_preview)
        self.title = PlainLabel()
        self.title.setObjectName("templateTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: 600;")
        self.changed = PlainLabel()
        self.changed.setObjectName("templateChanged")
        self.parts = PartEditors()
        self.parts.edited.connect(self._edited)
        self.parts.currentChanged.connect(lambda _index: self._show_preview())
        self.problem = MessageLine()
        self.problem.setObjectName("templateProblem")
        self.variables = VariableList()
        self.variables.setObjectName("templateVariables")
        self.variables.chosen.connect(self.parts.insert)
        variables_label = PlainLabel(tr("Va&riables"))
        variables_label.setBuddy(self.variables)
        self.preview_view = QPlainTextEdit()
        self.preview_view.setObjectName("templatePreview")
        self.preview_view.setReadOnly(True)
        self.preview_view.setTabChangesFocus(True)
        self.html_view = HtmlPreview()
        self.html_view.setObjectName("templateHtmlPreview")
        self.previews_shown = QStackedWidget()
        self.previews_shown.addWidget(self.preview_view)
        self.previews_shown.addWidget(self.html_view)
        self.preview_title = PlainLabel(tr("Preview"))
        self.meter = SmsMeter()
        self.meter.setObjectName("templateMeter")
        self.save_button = QPushButton(tr("Sav&e"))
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(tr("Revert to shipped &default"))
        self.revert_button.clicked.connect(self.ask_revert)
        self.message = MessageLine()

        self._timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self._preview_now)
        ctx = console.ctx
        self.previews = Poller(
            self, console.ops, lambda: self._preview_work(ctx), self._previewed, self.problem.show_error
        )
        self._build_layout(kinds_label, variables_label)
        console.ops.changed.connect(self._data_changed)
        self._update_buttons()
        self._first_show = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._first_show:  # the settings dialog opens often; the templates load once looked at
            self._first_show = False
            self.reload()

    def _build_layout(self, kinds_label: QWidget, variables_label: QWidget) -> None:
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(kinds_label)
        left_column.addWidget(self.kinds, 1)

        language_label = PlainLabel(tr("&Language"))
        language_label.setBuddy(self.language)
        booking_label = PlainLabel(tr("Pre&view with"))
        booking_label.setBuddy(self.booking)
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        heading.addWidget(self.changed)
        choices = QHBoxLayout()
        choices.addWidget(language_label)
        choices.addWidget(self.language)
        choices.addSpacing(12)
        choices.addWidget(booking_label)
        choices.addWidget(self.booking, 1)
        editing = QWidget()
        editing_column = QVBoxLayout(editing)
        editing_column.setContentsMargins(0, 0, 0, 0)
        editing_column.addWidget(self.parts, 1)
        editing_column.addWidget(self.problem)
        names = QWidget()
        names_column = QVBoxLayout(names)
        names_column.setContentsMargins(0, 0, 0, 0)
        names_column.addWidget(variables_label)
        names_column.addWidget(self.variables, 1)
        editor_row = QSplitter()
        editor_row.addWidget(editing)
        editor_row.addWidget(names)
        editor_row.setStretchFactor(0, 3)
        editor_row.setStretchFactor(1, 1)
        preview = QWidget()
        preview_column = QVBoxLayout(preview)
        preview_column.setContentsMargins(0, 0, 0, 0)
        preview_column.addWidget(self.preview_title)
        preview_column.addWidget(self.previews_shown, 1)
        preview_column.addWidget(self.meter)
        stacked = QSplitter(Qt.Orientation.Vertical)
        stacked.addWidget(editor_row)
        stacked.addWidget(preview)
        stacked.setStretchFactor(0, 3)
        stacked.setStretchFactor(1, 2)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addLayout(heading)
        right_column.addLayout(choices)
        right_column.addWidget(stacked, 1)
        right_column.addLayout(buttons)
        right_column.addWidget(self.message)
        sides = QSplitter()
        sides.addWidget(left)
        sides.addWidget(right)
        sides.setStretchFactor(1, 1)
        sides.setSizes([KINDS_WIDTH, 4 * KINDS_WIDTH])
        layout = QVBoxLayout(self)
        layout.addWidget(sides)

    # --- the kinds ------------------------------------------------------------------------

    def reload(self) -> None:
        ctx = self.console.ctx
        run_for(
            self,
            self.console.ops,
            lambda: templates.list_templates(ctx),
            self._listed,
            self.message.show_error,
        )

    def _listed(self, summaries: list[TemplateSummary]) -> None:
        self.summaries = summaries
        self.kinds.blockSignals(True)
        self.kinds.clear()
        for summary in summaries:
            name = summary.description.capitalize()
            changed = ", ".join(summary.languages)
            item = QListWidgetItem(tr("%s · changed (%s)") % (name, changed) if changed else name)
            item.setData(KIND_ROLE, summary.kind)
            self.kinds.addItem(item)
            if summary.kind == self.kind:
                self.kinds.setCurrentItem(item)
        self.kinds.blockSignals(False)
        self._fill_languages()
        if self.kind is None and self.kinds.count():
            self.kinds.setCurrentRow(0)

    def _fill_languages(self) -> None:
        current = self.current_language()
        self.language.blockSignals(True)
        self.language.clear()
        overridden = {code for summary in self.summaries for code in summary.languages}
        for code in (*LANGUAGES, *sorted(overridden - set(LANGUAGES))):
            self.language.addItem(f"{QLocale.languageToString(QLocale(code).language())} ({code})", code)
        self.language.setCurrentIndex(max(0, self.language.findData(current or DEFAULT_LANGUAGE)))
        self.language.blockSignals(False)

    def current_language(self) -> str:
        return str(self.language.currentData() or "")

    def _kind_chosen(self, current: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        if current is None:
            return
        kind = current.data(KIND_ROLE)
        self._leave(lambda: self.open_kind(kind), lambda: self._select_kind_row(previous))

    def _select_kind_row(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.kinds.blockSignals(True)
            self.kinds.setCurrentItem(item)
            self.kinds.blockSignals(False)

    def _language_chosen(self, _index: int) -> None:
        if self.kind is None:
            return
        shown = self.shown.detail.language if self.shown else self.current_language()
        kind = self.kind
        self._leave(lambda: self.open_kind(kind), lambda: self._select_language(shown))

    def _select_language(self, code: str) -> None:
        self.language.blockSignals(True)
        self.language.setCurrentIndex(self.language.findData(code))
        self.language.blockSignals(False)

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

    def open_kind(self, kind: str) -> None:
        self.kind = kind
        self._reload_kind(keep=())

    def _reload_kind(self, keep: tuple[str, ...]) -> None:
        ctx, kind, language = self.console.ctx, self.kind, self.current_language()
        if kind is None:
            return
        run_for(
            self,
            self.console.ops,
            lambda: _load(ctx, kind, language),
            lambda shown: self._show_kind(shown, keep),
            self.message.show_error,
        )

    def _show_kind(self, shown: Shown, keep: tuple[str, ...]) -> None:
        """The loaded kind in the editors; the parts in `keep` keep what is typed in them."""
        detail = shown.detail
        if detail.kind != self.kind or detail.language != self.current_language():
            return  # an answer for a kind or language left meanwhile
        typed, parts = self.parts.texts(), tuple(part.part for part in detail.parts)
        self.shown = shown
        self.stored = {part.part: part.text for part in detail.parts}
        self.parts.show_parts(parts)
        self.parts.set_texts({part: typed[part] if part in keep else self.stored[part] for part in parts})
        self.title.setText(f"{detail.description.capitalize()} ({detail.kind})")
        self.variables.show_variables(detail.variables)
        self._show_changed()
        self._update_buttons()
        self.loaded.emit()

    def _show_changed(self) -> None:
        if self.shown is None:
            self.changed.clear()
            return
        self.changed.setText(changed_note(self.shown.detail.part(self.parts.current_part()), self.shown.zone))

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

    def _preview_work(self, ctx: ServiceContext) -> PreviewAnswer | None:
        request = self._request  # the newest one asked for by the time this worker starts
        return None if request is None else _previewed_as(ctx, request)

    def _previewed(self, answer: PreviewAnswer | None) -> None:
        if answer is None or answer.request != self._request:
            return  # a newer request is out, or comes once this answer is in
        error, refused = answer.preview.error, answer.refused
        if error is None:
            self.last_preview = answer.preview
            self.problem.clear_message()
        else:
            label = PART_LABELS[refused] if refused else tr("Draft")
            self.problem.show_error(refusal(label, error))
        self.sms_refused = error is not None and refused in (SMS, None)
        self._show_preview()
        self.previewed.emit()

    def _show_preview(self) -> None:
        """The preview of the part shown; the SMS with what it costs."""
        self._show_changed()
        self._update_buttons()
        result, part = self.last_preview, self.parts.current_part()
        self.meter.setVisible(part == SMS)
        if result is None:
            return
        source = tr("sample booking") if result.booking == "sample" else result.booking
        self.preview_title.setText(tr("Preview of the %s, %s") % (PART_LABELS[part], source))
        if part == HTML:
            self.html_view.setHtml(result.html or "")
            self.previews_shown.setCurrentWidget(self.html_view)
        else:
            self.preview_view.setPlainText(getattr(result, part) or "")
            self.previews_shown.setCurrentWidget(self.preview_view)
        if self.sms_refused:
            self.meter.show_refused()
        elif result.sms_encoding is not None and result.sms_length is not None and result.sms_segments:
            count = SegmentCount(
                result.sms_encoding, result.sms_length, result.sms_segments, result.first_ucs2_char
            )
            self.meter.show_count(count)

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
            lambda: _save(ctx, kind, language, drafts),
            lambda outcome: self._saved(outcome, drafts),
            self._save_failed,
        )

    def _saved(self, outcome: SaveOutcome, drafts: Mapping[str, str]) -> None:
        for part in outcome.saved:
            self.stored[part] = drafts[part]
        if outcome.error is not None and outcome.refused is not None:
            self.parts.show_part(outcome.refused)
            self.problem.show_error(outcome.error)
            self.message.show_error(tr("Not saved: %s") % one_line(outcome.error))
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
        name = PART_LABELS[part]
        box = message_box(
            self,
            QMessageBox.Icon.Question,
            tr("Revert to the shipped default?"),
            tr("The %s of %s (%s) goes back to the text shipped with the program, for every workstation.")
            % (name, self.kind, self.current_language()),
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        keep = box.addButton(tr("&Keep it"), QMessageBox.ButtonRole.RejectRole)
        revert = box.addButton(tr("&Revert"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        revert.clicked.connect(lambda: self.revert(part))
        box.open()
        self.question = box

    def revert(self, part: str) -> None:
        ctx, kind, language = self.console.ctx, self.kind, self.current_language()
        if kind is None:
            return
        keep = tuple(p for p in self.drafts() if p != part)

        def work() -> Shown:
            templates.reset(ctx, kind, part, language)
            return _load(ctx, kind, language)

        def done(shown: Shown) -> None:
            self._show_kind(shown, keep)
            self.message.show_info(tr("Back to the shipped default."))

        run_for(self, self.console.ops, work, done, self.message.show_error, changes=Change.SETTINGS)
