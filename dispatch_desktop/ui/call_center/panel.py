"""Call-center entry: take a booking during a phone call without touching the mouse.

Enter moves to the next field and saves on the last one; Ctrl+Enter or Ctrl+S saves from
anywhere. A returning caller's phone number fills in their name, email and last address, puts the
cursor on Service and lists their upcoming and recent bookings with status. After a save the
panel says what happened to the customer's confirmation, clears itself and puts the cursor back in
the phone field for the next call.
"""

from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.outbox import REMINDER_EVENT, Channel, OutboxStatus
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.domain.time_entry import next_quarter_hour
from dispatch_desktop.services import notifier_status
from dispatch_desktop.services.booking_drafts import save_draft
from dispatch_desktop.services.booking_notices import booking_notifications
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.outbox import OutboxView
from dispatch_desktop.services.views import BookingView, CallerView
from dispatch_desktop.ui.bookings.customer_fields import (
    CustomerFields,
    FieldMessage,
    HintLabel,
    label_buddies_to_fields,
    stacked,
)
from dispatch_desktop.ui.bookings.form import DEFAULT_MINUTES
from dispatch_desktop.ui.bookings.language_choice import LanguageChoice
from dispatch_desktop.ui.call_center.caller import caller_text
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.discard import ask_to_discard
from dispatch_desktop.ui.kit.enter_keys import EnterMovesOn
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.poller import Poller
from dispatch_desktop.ui.kit.time_entry import DateTimeEntry

CONFIRMATION_POLL_MS = 1_000
CONFIRMATION_POLLS = 15
_S = OutboxStatus
# The customer's confirmation has its answer: nothing more will happen to it by itself.
DONE_STATUSES = (_S.SENT, _S.LOGGED, _S.FAILED, _S.UNKNOWN, _S.SKIPPED, _S.DISMISSED)
Confirmation = tuple[list[OutboxView], frozenset[str]]


def _confirmation(ctx: ServiceContext, booking_id: int) -> Confirmation:
    """The booking's notifications, and the channels a running notifier can send them on."""
    return booking_notifications(ctx, booking_id), notifier_status.sending_channels(ctx)


def confirmation_text(
    reference: str, rows: list[OutboxView], tr: Callable[[str], str], sending: Collection[str] = ()
) -> str:
    """What the call-center agent reads back: did the customer's confirmation go out?

    `sending`: the channels a running production notifier can send (a row held for credentials
    by this workstation still goes out through one of those).
    """
    mine = [row for row in rows if row.recipient_kind == "customer" and row.event != REMINDER_EVENT]
    if not mine:
        return tr("{0} saved — no confirmation: the customer has no phone or email on file").format(reference)
    channels = ", ".join(sorted({"SMS" if row.channel == Channel.SMS else "email" for row in mine}))
    statuses = {row.status for row in mine}
    if _S.SENT in statuses:
        return tr("{0} saved — confirmation sent to the customer ({1})").format(reference, channels)
    if _S.LOGGED in statuses:
        return tr("{0} saved — confirmation logged (DEV, not sent) ({1})").format(reference, channels)
    if statuses & {_S.FAILED, _S.UNKNOWN}:
        return tr("{0} saved — confirmation could not be sent; see the notification log").format(reference)
    if any(row.waiting_for_credentials and row.channel not in sending for row in mine):
        return tr("{0} saved — confirmation NOT sent yet: no credentials on any running notifier").format(
            reference
        )
    if statuses <= {_S.SKIPPED, _S.DISMISSED}:
        return tr("{0} saved — confirmation skipped").format(reference)
    return tr("{0} saved — confirmation queued for the customer ({1})").format(reference, channels)


class CallCenterPanel(CustomerFields, QWidget):
    """One phone call, one booking: phone, name, email, address, service, time, save."""

    saved = Signal(object)  # BookingView
    status_message = Signal(str)

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.settings: TeamSettings | None = None
        self.saving = False
        self.last_saved: BookingView | None = None
        self.discard_question: QMessageBox | None = None
        self.last_notice = ""
        self._polls_left = 0
        self._build()
        ctx = console.ctx
        # After a save, the customer's confirmation is asked after every few seconds, a few times.
        self.confirmation = Poller(
            self,
            console.ops,
            self._ask_confirmation,
            self._confirmation_arrived,
            interval_ms=CONFIRMATION_POLL_MS,
            due=self._confirmation_due,
        )
        run_for(self, console.ops, ctx.team_settings, self._settings_arrived, lambda _e: None)
        console.ops.changed.connect(self._data_changed)

    def _build(self) -> None:
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("Caller's phone number"))
        self.lookup = HintLabel()
        self.name = QLineEdit()
        self.email = QLineEdit()
        self.email.setPlaceholderText(self.tr("optional, for the email confirmation"))
        self.address = QLineEdit()
        self.service = QLineEdit()
        self.service.setPlaceholderText(self.tr("What needs doing"))
        self.start = DateTimeEntry()
        self.duration = QSpinBox()
        self.duration.setRange(15, 8 * 60)
        self.duration.setSingleStep(15)
        self.duration.setValue(DEFAULT_MINUTES)
        self.duration.setSuffix(self.tr(" min"))
        # The customer's answer to "OK to text you about this booking?": no means email only.
        self.sms_consent = QComboBox()
        self.sms_consent.addItem(self.tr("Not asked"), None)
        self.sms_consent.addItem(self.tr("Yes"), "yes")
        self.sms_consent.addItem(self.tr("No: email only"), "no")
        self.language = LanguageChoice()
        self.messages = {
            key: FieldMessage()
            for key in ("phone", "name", "email", "address", "service", "start", "duration", "agent", "notes")
        }
        self.save_button = QPushButton(self.tr("Save booking  (Ctrl+S)"))
        self.save_button.setAutoDefault(False)
        self.clear_button = QPushButton(self.tr("Clear  (Esc)"))
        self.clear_button.setAutoDefault(False)
        self.result = PlainLabel()
        self.result.setObjectName("callCenterResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.result.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.result.setFont(font)
        self.general = FieldMessage()
        self.caller_bookings = PlainLabel()
        self.caller_bookings.setObjectName("callerBookings")
        self.caller_bookings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caller_bookings.hide()

        form = QFormLayout()
        form.addRow(
            self.tr("&Phone"), stacked(self.phone, self.lookup, self.caller_bookings, self.messages["phone"])
        )
        form.addRow(self.tr("&Name"), stacked(self.name, self.messages["name"]))
        form.addRow(self.tr("E&mail"), stacked(self.email, self.messages["email"]))
        form.addRow(self.tr("&Address"), stacked(self.address, self.messages["address"]))
        form.addRow(self.tr("Serv&ice"), stacked(self.service, self.messages["service"]))
        form.addRow(self.tr("&When (date, time)"), stacked(self.start, self.messages["start"]))
        form.addRow(self.tr("&Duration"), stacked(self.duration, self.messages["duration"]))
        form.addRow(self.tr("&Language of their messages"), self.language)
        form.addRow(self.tr("OK to te&xt you about this booking?"), self.sms_consent)
        label_buddies_to_fields(form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)

        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setMinimumWidth(620)
        card.setMaximumWidth(760)
        # Its full height always: a short window scrolls the card rather than squeezing its fields.
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        inner = QVBoxLayout(card)
        title = PlainLabel(self.tr("New call"))
        title_font = title.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.4)
        title_font.setBold(True)
        title.setFont(title_font)
        hint = PlainLabel(
            self.tr(
                "Enter moves to the next field and saves on the last one; Ctrl+Enter saves from any field. "
                "Dates: t today, +1 tomorrow; times: 10, 10:30, 2p. "
                "The booking is created without an agent; a dispatcher assigns it."
            )
        )
        hint.setWordWrap(True)
        inner.addWidget(title)
        inner.addWidget(hint)
        inner.addLayout(form)
        inner.addLayout(buttons)
        inner.addWidget(self.general)
        inner.addWidget(self.result)
        # In a short window the card scrolls instead of squeezing its fields.
        holder = QWidget()
        centred = QHBoxLayout(holder)
        centred.addWidget(card, 1, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(holder)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self._enter = EnterMovesOn(self, self.fields, self.save)
        for first, second in zip(self.fields(), self.fields()[1:], strict=False):
            QWidget.setTabOrder(first, second)
        QWidget.setTabOrder(self.language, self.save_button)
        QShortcut(
            QKeySequence.StandardKey.Save, self, self.save, Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape),
            self,
            self.escape,
            Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(self.clear)
        self.phone.editingFinished.connect(self._lookup_customer)
        self.email.editingFinished.connect(self._check_email)

    def fields(self) -> list[QWidget]:
        """Enter's walk: who, where, what, when, then the language (a returning caller's is filled
        in, and Ctrl+Enter saves from the time, so a usual call takes no extra key)."""
        return [
            self.phone,
            self.name,
            self.email,
            self.address,
            self.service,
            *self.start.fields(),
            self.duration,
            self.language,
        ]

    def _settings_arrived(self, settings: TeamSettings) -> None:
        self._settings_changed(settings)
        self._reset_time()

    def _data_changed(self, what: Change) -> None:
        if what & Change.SETTINGS:
            ctx = self.console.ctx
            run_for(self, self.console.ops, ctx.team_settings, self._settings_changed, lambda _e: None)

    def _settings_changed(self, settings: TeamSettings) -> None:
        self.settings = settings
        self.language.follow_team(settings.language)

    def _reset_time(self) -> None:
        """The same suggestion as the booking form's: the next quarter hour in the team's zone."""
        zone = self.settings.zone if self.settings else None
        now = datetime.now(zone).replace(tzinfo=None) if zone else datetime.now()
        self.start.set_today(now.date())
        self.start.set_value(next_quarter_hour(now))
        self.duration.setValue(DEFAULT_MINUTES)

    def _known_customer_text(self, name: str) -> str:
        # The caller's bookings below start with their name and phone; once is enough.
        return self.tr("Known customer")

    def _caller_changed(self, caller: CallerView | None) -> None:
        if caller is None or self.settings is None:
            self.caller_bookings.clear()
            self.caller_bookings.hide()
            return
        self.caller_bookings.setText(caller_text(caller, self.settings, self.tr))
        self.caller_bookings.show()

    # --- lookup and checks ----------------------------------------------------------------

    def _lookup_customer(self) -> None:
        phone = self.phone.text().strip()
        if not phone:
            self.lookup.clear()
            return
        if self._check_phone():
            self._find_customer(phone)

    def _check(self) -> bool:
        checks = [self._check_email(), self._check_phone(), self._check_required(), self._check_start()]
        return all(checks)

    def _check_start(self) -> bool:
        problem = self.start.problem()
        self.messages["start"].show_message(problem)
        return not problem

    def _first_error_field(self) -> QWidget | None:
        for key, field in zip(
            ("phone", "name", "email", "address", "service", "start", "duration"),
            (self.phone, self.name, self.email, self.address, self.service, self.start, self.duration),
            strict=True,
        ):
            if self.messages[key].isVisibleTo(self):
                return field
        return None

    # --- saving ---------------------------------------------------------------------------

    def save(self) -> None:
        if self.saving:
            return
        if not self._check():
            focus = self._first_error_field()
            if focus is not None:
                focus.setFocus()
            return
        start = self.start.value()
        assert start is not None  # _check_start passed
        end = start + timedelta(minutes=self.duration.value())
        draft = replace(self._draft(start, end), sms_consent=self.sms_consent.currentData())
        self.saving = True
        self.save_button.setEnabled(False)
        self.general.show_message("")
        ctx = self.console.ctx

        def work() -> tuple[BookingView, Confirmation]:
            view = save_draft(ctx, draft, None, assign=False, call_center=True)
            return view, _confirmation(ctx, view.id)

        run_for(self, self.console.ops, work, self._saved, self._refused, changes=Change.BOOKINGS)

    def _saved(self, result: tuple[BookingView, Confirmation]) -> None:
        view, (rows, sending) = result
        self.saving = False
        self.save_button.setEnabled(True)
        self.last_saved = view
        self._show_notice(confirmation_text(view.reference, rows, self.tr, sending))
        self.saved.emit(view)
        self.clear(keep_result=True)
        self._polls_left = CONFIRMATION_POLLS
        if any(row.status not in DONE_STATUSES for row in rows if row.recipient_kind == "customer"):
            self.confirmation.start(now=False)

    def _show_notice(self, text: str) -> None:
        self.last_notice = text
        self.result.setText(text)
        self.status_message.emit(text)

    def _confirmation_due(self) -> bool:
        if self.last_saved is None or self._polls_left <= 0:
            self.confirmation.stop()
            return False
        self._polls_left -= 1
        return True

    def _ask_confirmation(self) -> tuple[BookingView, Confirmation]:
        """On a worker: the rows of the booking saved last, with the booking they belong to."""
        view = self.last_saved
        assert view is not None  # asked only while there is one
        return view, _confirmation(self.console.ctx, view.id)

    def _confirmation_arrived(self, result: tuple[BookingView, Confirmation]) -> None:
        view, (rows, sending) = result
        if self.last_saved is None or view.id != self.last_saved.id:
            return
        self._show_notice(confirmation_text(view.reference, rows, self.tr, sending))
        if all(row.status in DONE_STATUSES for row in rows if row.recipient_kind == "customer"):
            self.confirmation.stop()

    def _refused(self, error: Exception) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        if self._show_at_field(error):
            target = self._first_error_field()
            if target is not None:
                target.setFocus()
            return
        self.general.show_message(one_line(error))

    def escape(self) -> None:
        """Esc: clear at once when nothing was typed, else ask first ("Keep editing" is the default)."""
        typed = any(f.text().strip() for f in (self.phone, self.name, self.email, self.address, self.service))
        if typed:
            self.discard_question = ask_to_discard(
                self, self.tr("Clear what you typed for this call?"), self.clear
            )
        else:
            self.clear()

    def clear(self, keep_result: bool = False) -> None:
        """Ready for the next call: empty fields, fresh time, cursor in the phone field."""
        for field in (self.phone, self.name, self.email, self.address, self.service):
            field.clear()
        self.lookup.clear()
        self.sms_consent.setCurrentIndex(0)
        self.language.show_customer(None)
        self.known_caller = None
        self._caller_changed(None)
        self.offer_addresses(())
        for message in self.messages.values():
            message.show_message("")
        self.general.show_message("")
        if not keep_result:
            self.result.clear()
            self.confirmation.stop()
        self._reset_time()
        self.phone.setFocus()
