"""New and edit booking dialog: phone lookup, times, an agent picker that shows availability.

Every save goes through the services on a worker with the version the form was loaded with, so
a booking someone else changed meanwhile is never overwritten: the form says in words what they
changed, merges their changes to fields this form left alone, and asks "theirs / yours" for a
field both changed. Esc on a changed form asks before discarding.
"""

import itertools
from dataclasses import replace
from datetime import datetime, tzinfo

from PySide6.QtCore import QSignalBlocker, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import AvailabilityWarning, StaleVersionError, ValidationError
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.statuses import ASSIGNABLE_STATUSES, BookingStatus
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.domain.time_entry import next_quarter_hour
from dispatch_desktop.services import bookings
from dispatch_desktop.services.booking_drafts import (
    BookingDraft,
    DraftMerge,
    combine,
    draft_of,
    merge_draft,
    save_draft,
)
from dispatch_desktop.services.bookings import AgentAvailability
from dispatch_desktop.services.display import phone_for_display
from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.bookings.agent_picker import AgentPicker
from dispatch_desktop.ui.bookings.conflict_dialog import ConflictDialog
from dispatch_desktop.ui.bookings.customer_fields import (
    CustomerFields,
    FieldMessage,
    HintLabel,
    label_buddies_to_fields,
    stacked,
)
from dispatch_desktop.ui.bookings.language_choice import LanguageChoice
from dispatch_desktop.ui.bookings.stale_banner import StaleBanner
from dispatch_desktop.ui.bookings.start_readings import booking_times, reading_labels, readings, start_problem
from dispatch_desktop.ui.kit.book_anyway import ask_book_anyway
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.discard import ask_to_discard
from dispatch_desktop.ui.kit.enter_keys import EnterMovesOn
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.style import field_error_style
from dispatch_desktop.ui.kit.time_entry import DateTimeEntry

DEFAULT_MINUTES = 60


class BookingForm(CustomerFields, QDialog):
    """Create a booking (`booking=None`) or edit one. Emits `saved` with the stored booking."""

    saved = Signal(object)  # BookingView

    def __init__(
        self,
        console: ConsoleContext,
        booking: BookingView | None = None,
        parent: QWidget | None = None,
        *,
        start: datetime | None = None,
    ) -> None:
        super().__init__(parent)
        self.console = console
        self.booking = booking
        self.settings: TeamSettings | None = None
        self.ready = False
        self.saving = False
        self.availability_loads = 0
        self.conflict_dialog: ConflictDialog | None = None
        self.discard_question: QMessageBox | None = None
        self.book_anyway_question: QMessageBox | None = None
        self._clean: tuple[object, ...] | None = None  # what the fields held when filled
        self._wanted_agent = booking.agent_id if booking else None  # until the agent list arrives
        self.may_assign = console.can(Permission.MANAGE_BOOKINGS) and (
            booking is None or BookingStatus(booking.status) in ASSIGNABLE_STATUSES
        )
        self.setWindowTitle(
            self.tr("Edit booking {0}").format(booking.reference) if booking else self.tr("New booking")
        )
        self.setMinimumWidth(520)
        self._build()
        self._wire()
        self._initial_start = start
        self.setEnabled(False)
        ctx = console.ctx
        run_for(self, self.console.ops, ctx.team_settings, self._settings_arrived, self._show_general_error)

    # --- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("e.g. (312) 555-0142"))
        self.lookup = HintLabel()
        self.name = QLineEdit()
        self.email = QLineEdit()
        self.email.setPlaceholderText(self.tr("optional"))
        self.address = QLineEdit()
        self.service = QLineEdit()
        self.start = DateTimeEntry()
        # Shown only for a time the clocks go through twice: which of the two is meant.
        self.offset_choice = QComboBox()
        self.offset_choice.hide()
        self.duration = QSpinBox()
        self.duration.setRange(5, 24 * 60 - 1)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(self.tr(" min"))
        self.duration.setValue(DEFAULT_MINUTES)
        self.end_label = PlainLabel()
        self.agent = AgentPicker()
        self.agent_state = HintLabel()
        self.agent_state.setWordWrap(True)
        self.language = LanguageChoice()
        self.notes = QLineEdit()
        self.notes.setPlaceholderText(self.tr("optional: gate code, pets, parking…"))
        self.notify_customer = QCheckBox(self.tr("Notify &customer"))  # off: agents are still told
        self.notify_customer.setChecked(True)

        self.messages = {
            key: FieldMessage()
            for key in ("phone", "name", "email", "address", "service", "start", "duration", "agent", "notes")
        }
        form = QFormLayout()
        form.addRow(self.tr("&Phone"), self._with_message(self.phone, "phone", self.lookup))
        form.addRow(self.tr("&Name"), self._with_message(self.name, "name"))
        form.addRow(self.tr("E&mail"), self._with_message(self.email, "email"))
        form.addRow(self.tr("&Address"), self._with_message(self.address, "address"))
        form.addRow(self.tr("Serv&ice"), self._with_message(self.service, "service"))
        form.addRow(self.tr("&Start"), self._with_message(self.start, "start", self.offset_choice))
        duration_row = QHBoxLayout()
        duration_row.addWidget(self.duration)
        duration_row.addWidget(self.end_label, 1)
        duration_box = QWidget()
        duration_box.setLayout(duration_row)
        duration_row.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("&Duration"), self._with_message(duration_box, "duration"))
        self.agent_row = self._with_message(self.agent, "agent", self.agent_state)
        form.addRow(self.tr("A&gent"), self.agent_row)
        form.addRow(self.tr("N&otes"), self._with_message(self.notes, "notes"))
        form.addRow(self.tr("&Language"), self.language)
        form.addRow("", self.notify_customer)
        label_buddies_to_fields(form)
        if not self.may_assign:
            self.agent_row.hide()
            form.labelForField(self.agent_row).hide()

        self.stale_banner = StaleBanner(self.console, self._watched)
        self.stale_banner.reload_requested.connect(self.merge_in)

        self.general = FieldMessage()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setToolTip(self.tr("Save (Ctrl+Enter or Ctrl+S; Enter on the last field)"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.stale_banner)
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)
        # Tab order follows a phone call: who is calling, where, what, when, who goes.
        order = [*self.fields(), self.save_button]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def fields(self) -> list[QWidget]:
        """The fields Enter and Tab walk through, in order, as the call-center panel's end on the
        language; Enter on the last one saves."""
        caller = [self.phone, self.name, self.email, self.address, self.service]
        when = [*self.start.fields(), self.offset_choice, self.duration]
        return [*caller, *when, self.agent, self.notes, self.language]

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        for which in (QDialogButtonBox.StandardButton.Save, QDialogButtonBox.StandardButton.Cancel):
            self.buttons.button(which).setAutoDefault(False)  # Enter moves on (EnterMovesOn), never clicks

    def _with_message(self, field: QWidget, key: str, extra: QWidget | None = None) -> QWidget:
        return stacked(field, *([extra] if extra is not None else []), self.messages[key])

    def _wire(self) -> None:
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self._enter = EnterMovesOn(self, self.fields, self.save)
        self.phone.editingFinished.connect(self._lookup_customer)
        self.phone.editingFinished.connect(self._check_phone)
        self.email.editingFinished.connect(self._check_email)
        for field, key in ((self.name, "name"), (self.address, "address"), (self.service, "service")):
            field.textChanged.connect(lambda _text, key=key: self.messages[key].show_message(""))
        self._availability_timer = QTimer(self, singleShot=True, interval=300)
        self._availability_timer.timeout.connect(self._load_availability)
        self.start.changed.connect(self._times_changed)
        self.offset_choice.currentIndexChanged.connect(self._times_changed)
        self.duration.valueChanged.connect(self._times_changed)
        self.agent.currentIndexChanged.connect(self._show_agent_state)
        self.service.textChanged.connect(self._service_changed)

    # --- filling --------------------------------------------------------------------------

    def _settings_arrived(self, settings: TeamSettings) -> None:
        self.settings = settings
        self.language.follow_team(settings.language)
        if self.booking is not None:
            self._fill(self.booking)
        else:
            now = datetime.now(settings.zone).replace(tzinfo=None)
            self.start.set_today(now.date())
            self.start.set_value(self._initial_start or next_quarter_hour(now))
            self._times_changed()
            self._clean = self._typed()
        self.setEnabled(True)
        self.ready = True
        self.phone.setFocus()

    def _fill(self, view: BookingView) -> None:
        self.booking = view
        self.language.show_customer(view.customer_language)
        self._fill_draft(draft_of(view))
        self._clean = self._typed()

    def _fill_draft(self, draft: BookingDraft) -> None:
        assert self.settings is not None
        self.phone.setText(phone_for_display(draft.customer_phone, self.settings.region))
        self.name.setText(draft.customer_name)
        self.email.setText(draft.customer_email or "")
        self.address.setText(draft.address)
        self.service.setText(draft.service)
        self.notes.setText(draft.notes or "")
        self.agent.select_agent(draft.agent_id)
        self._wanted_agent = draft.agent_id
        local_start = draft.start.astimezone(self.settings.zone)
        with QSignalBlocker(self.start), QSignalBlocker(self.duration):
            self.start.set_value(local_start.replace(tzinfo=None))
            self.duration.setValue(max(5, int((draft.end - draft.start).total_seconds() // 60)))
        self.stale_banner.hide()
        self._offer_offsets(local_start.fold)
        self._times_changed()

    def _typed(self) -> tuple[object, ...]:
        """What the person can change, to tell a changed form from an untouched one."""
        fields = (self.phone, self.name, self.email, self.address, self.service, self.notes)
        agent = self.agent.currentData() if self.agent.count() else self._wanted_agent
        typed = (*(f.text().strip() for f in fields), self.times(), self.language.currentData())
        return (*typed, agent if self.may_assign else None)

    def is_changed(self) -> bool:
        return self.ready and self._clean is not None and self._typed() != self._clean

    def reject(self) -> None:
        """Esc or Cancel: close at once when nothing was typed, else ask ("Keep editing" is the default)."""
        if not self.is_changed() or self.saving:
            super().reject()
            return
        question = (
            self.tr("Discard your changes to {0}?").format(self.booking.reference)
            if self.booking
            else self.tr("Discard this new booking?")
        )
        self.discard_question = ask_to_discard(self, question, self.discard)

    def discard(self) -> None:
        self._clean = None
        super().reject()

    def merge_in(self) -> None:
        """Someone saved this booking meanwhile: lay this form's edits over theirs, in words."""
        if self.booking is None or self.settings is None:
            return
        ctx, base, mine, assign = self.console.ctx, self.booking, self.draft(), self.may_assign
        run_for(
            self,
            self.console.ops,
            lambda: merge_draft(ctx, base, mine, assign=assign),
            self._merged,
            self._show_general_error,
        )

    def _merged(self, merge: DraftMerge) -> None:
        self.booking = merge.current
        self._fill_draft(merge.theirs_draft)
        self._clean = self._typed()  # "changed" from now on means changed from what is stored
        self._fill_draft(merge.draft)
        for message in self.messages.values():
            message.show_message("")
        if not merge.clashes:
            self._say_merged(merge)
            return
        self.conflict_dialog = ConflictDialog(merge, self)
        self.conflict_dialog.chosen.connect(lambda theirs: self._picked(merge, theirs))
        self.conflict_dialog.open()

    def _picked(self, merge: DraftMerge, theirs: set[str]) -> None:
        self._fill_draft(combine(merge.draft, merge.theirs_draft, theirs))
        self._say_merged(merge)

    def _say_merged(self, merge: DraftMerge) -> None:
        self.general.show_message(
            self.tr(
                "{0}. Their changes are in the form with yours; nothing is saved yet: Save to keep both."
            ).format(merge.theirs_said)
        )

    def _watched(self) -> tuple[BookingView | None, TeamSettings | None] | None:
        """What the stale banner compares with the stored booking: nothing while saving or hidden."""
        return None if self.saving or not self.isVisible() else (self.booking, self.settings)

    # --- customer lookup and checks -------------------------------------------------------

    def _lookup_customer(self) -> None:
        phone = self.phone.text().strip()
        if phone:
            self._find_customer(phone)

    def _replaces_typed_name(self) -> bool:
        return self.booking is None

    # --- times and agents -----------------------------------------------------------------

    def _typed_start(self) -> tuple[datetime | None, tzinfo | None]:
        return self.start.value(), self.settings.zone if self.settings else None

    def times(self) -> tuple[datetime, datetime] | None:
        """Start and end as typed; None while the date or the time field does not read."""
        typed, zone = self._typed_start()
        if typed is None:
            return None
        return booking_times(typed, self.duration.value(), zone, self.offset_choice.currentIndex())

    def _offer_offsets(self, preferred: int | None = None) -> None:
        """Show the two readings of a repeated local time, or a skipped time's reason, under Start."""
        typed, zone = self._typed_start()
        choices = readings(typed, zone) if typed is not None else ()
        keep = self.offset_choice.currentIndex() if preferred is None else preferred
        with QSignalBlocker(self.offset_choice):
            self.offset_choice.clear()
            if len(choices) == 2:
                self.offset_choice.addItems(reading_labels(choices))
                self.offset_choice.setCurrentIndex(max(0, min(keep, 1)))
        self.offset_choice.setVisible(len(choices) == 2)
        if typed is None:
            self.messages["start"].show_message(self.start.problem())
        elif zone is not None:
            self.messages["start"].show_message(start_problem(typed, zone))

    def _times_changed(self) -> None:
        if self.sender() is not self.offset_choice:
            self._offer_offsets()
        times = self.times()
        if times is None:
            self.end_label.setText("")
            return
        start, end = times
        same_day = end.date() == start.date()
        self.end_label.setText(self.tr("until {0}").format(end.strftime("%H:%M" if same_day else "%a %H:%M")))
        try:
            validation.interval(start, end)
            self.messages["duration"].show_message("")
        except ValidationError as exc:
            self.messages["duration"].show_message(str(exc))
        if self.may_assign:
            self._availability_timer.start()

    def _service_changed(self) -> None:
        if self.may_assign:  # the service's skill reorders the agents
            self._availability_timer.start()

    def _load_availability(self) -> None:
        times = self.times()
        if times is None:
            return
        start, end = times
        ctx, service = self.console.ctx, self.service.text()
        exclude = self.booking.id if self.booking else None
        run_for(
            self,
            self.console.ops,
            lambda: bookings.availability(ctx, start, end, exclude_booking_id=exclude, service=service),
            self._availability_arrived,
            lambda error: self.messages["agent"].show_message(one_line(error)),
        )

    def _availability_arrived(self, rows: list[AgentAvailability]) -> None:
        wanted = self.agent.currentData() if self.agent.count() else self._wanted_agent
        self.agent.show_availability(rows, wanted)
        self.availability_loads += 1
        self._show_agent_state()

    def _show_agent_state(self) -> None:
        state = self.agent.state()
        self.messages["agent"].show_message("")
        if state == "busy":
            self.agent_state.setText(self.tr("This agent is busy then; saving will be refused."))
        elif state == "time off":
            self.agent_state.setText(self.tr("This agent is on time off then; saving will be refused."))
        elif self.agent.warnings():
            self.agent_state.setText(
                self.tr("%s for this agent; saving asks to book anyway.") % ", ".join(self.agent.warnings())
            )
        else:
            self.agent_state.setText("")
        self.agent_state.setStyleSheet(
            field_error_style(self.palette()) if state in ("busy", "time off") else ""
        )

    # --- saving ---------------------------------------------------------------------------

    def draft(self) -> BookingDraft:
        times = self.times()
        if times is None:
            raise ValidationError(self.start.problem(), field="start")
        start, end = times
        notes, agent_id = (
            self.notes.text().strip() or None,
            self.agent.currentData() if self.may_assign else None,
        )
        typed = self._draft(start, end, notes=notes, agent_id=agent_id)
        return replace(typed, notify_customer=self.notify_customer.isChecked())

    def save(self, override: bool = False) -> None:
        """`override`: "Book anyway" was chosen for an agent outside their hours or skills."""
        if not self.ready or self.saving:
            return
        checks = [self._check_phone(), self._check_email(), self._check_required()]
        times = self.times()
        if times is None:
            self.messages["start"].show_message(self.start.problem())
            checks.append(False)
        else:
            try:
                validation.interval(*times)
            except ValidationError as exc:
                self.messages["duration"].show_message(str(exc))
                checks.append(False)
        if not all(checks):
            return
        self.general.show_message("")
        draft = replace(self.draft(), override=override)
        self.saving = True
        self.save_button.setEnabled(False)
        ctx, original, assign = self.console.ctx, self.booking, self.may_assign
        run_for(
            self,
            self.console.ops,
            lambda: save_draft(ctx, draft, original, assign=assign),
            self._saved,
            self._refused,
            changes=Change.BOOKINGS,
        )

    def _saved(self, view: BookingView) -> None:
        self.saving = False
        self.booking = view
        self._clean = None
        self.saved.emit(view)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        if isinstance(error, StaleVersionError):
            self.merge_in()
            return
        if isinstance(error, AvailabilityWarning):
            self.book_anyway_question = ask_book_anyway(
                self, error.warnings, lambda: self.save(override=True)
            )
            return
        if not self._show_at_field(error):
            self._show_general_error(error)

    def _show_general_error(self, error: Exception) -> None:
        self.setEnabled(True)
        self.general.show_message(one_line(error))
