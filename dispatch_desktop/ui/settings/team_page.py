"""Settings page: the team's business time zone, default phone region, company name and phone
(the name opens every customer text), the language of its messages and the clock rules of its
notices (reminders, quiet hours, the customer hold), shared by every workstation. The week's first
day (Monday or Sunday) is the board's."""

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QLineEdit, QSpinBox, QWidget

from dispatch_desktop.domain import timing, validation
from dispatch_desktop.domain.team import WEEK_STARTS, TeamSettings
from dispatch_desktop.services import customers
from dispatch_desktop.ui.kit.plain import PlainLabel


def tr(text: str) -> str:
    return QCoreApplication.translate("SettingsDialog", text)


class TeamPage(QGroupBox):
    def __init__(self, may_manage_team: bool, parent: QWidget | None = None) -> None:
        super().__init__(tr("Team (shared by every workstation)"), parent)
        self.may_manage_team = may_manage_team
        self.team: TeamSettings | None = None
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.addItems(validation.team_timezones())
        self.region = QLineEdit()
        self.region.setMaxLength(2)
        self.region.setPlaceholderText("US")
        self.reminders = QLineEdit()
        self.reminders.setPlaceholderText(tr("24h,2h or off"))
        self.reminders.setToolTip(tr("Reminder texts and emails to the customer, this long before the start"))
        self.quiet_hours = QLineEdit()
        self.quiet_hours.setPlaceholderText(tr("21:00-08:00 or off"))
        self.quiet_hours.setToolTip(tr("No customer texts in these hours of the customer's local time"))
        self.customer_hold = QSpinBox()
        self.customer_hold.setRange(0, 3600)
        self.customer_hold.setSuffix(tr(" s"))
        self.customer_hold.setToolTip(
            tr("Customer updates wait this long, so a burst of changes is one text (0: off)")
        )
        self.company_name = QLineEdit()
        self.company_name.setMaxLength(validation.COMPANY_NAME_MAX)
        self.company_name.setPlaceholderText(tr("none: customer texts carry no company name"))
        self.company_phone = QLineEdit()
        self.company_phone.setPlaceholderText(tr("the number customers call back"))
        self.language = QComboBox()
        for code, name in customers.message_languages():
            self.language.addItem(name, code)
        self.language.setToolTip(
            tr("Staff's messages, and customers' who have no language of their own, are in this language")
        )
        self.two_way_sms = QCheckBox(tr("Act on texted answers (C, R, agents' 1/2/3)"))
        self.two_way_sms.setToolTip(
            tr("Like 'settings set --two-way-sms': STOP, START and HELP act either way")
        )
        form = QFormLayout(self)
        form.addRow(tr("Business time zone"), self.timezone)
        form.addRow(tr("Default phone region"), self.region)
        form.addRow(tr("Company name"), self.company_name)
        form.addRow(tr("Company phone"), self.company_phone)
        form.addRow(tr("Language of messages"), self.language)
        form.addRow(tr("Two-way SMS"), self.two_way_sms)
        form.addRow(tr("Reminders before the start"), self.reminders)
        form.addRow(tr("Quiet hours"), self.quiet_hours)
        form.addRow(tr("Hold customer updates"), self.customer_hold)
        self.week_start = QComboBox()
        for word, day in WEEK_STARTS.items():
            self.week_start.addItem(tr(day), word)
        self.week_start.setToolTip(tr("The first day of the board's week"))
        form.addRow(tr("Week starts"), self.week_start)
        if not may_manage_team:
            fields = (
                self.company_name,
                self.company_phone,
                self.language,
                self.two_way_sms,
                self.reminders,
                self.quiet_hours,
                self.customer_hold,
                self.week_start,
            )
            for field in (self.timezone, self.region, *fields):
                field.setEnabled(False)
            form.addRow(PlainLabel(tr("Only supervisors change team settings.")))

    def show_team(self, team: TeamSettings) -> None:
        self.team = team
        self.timezone.setCurrentText(team.timezone_name)
        self.region.setText(team.region)
        self.reminders.setText(timing.reminders_text(team.reminders))
        self.quiet_hours.setText(str(team.quiet_hours) if team.quiet_hours else timing.OFF)
        self.customer_hold.setValue(team.customer_hold_seconds)
        self.company_name.setText(team.company_name or "")
        self.company_phone.setText(team.company_phone or "")
        self.language.setCurrentIndex(max(self.language.findData(team.language), 0))
        self.two_way_sms.setChecked(team.two_way_sms)
        self.week_start.setCurrentIndex(self.week_start.findData(team.week_start))

    def changed(self) -> bool:
        return (
            self.may_manage_team
            and self.team is not None
            and (
                self.timezone.currentText().strip() != self.team.timezone_name
                or self.region.text().strip().upper() != self.team.region
                or self.company_name.text().strip() != (self.team.company_name or "")
                or self.company_phone.text().strip() != (self.team.company_phone or "")
                or self.language.currentData() != self.team.language
                or self.two_way_sms.isChecked() != self.team.two_way_sms
                or self.chosen_week_start() != self.team.week_start
            )
        )

    def chosen_week_start(self) -> str:
        return str(self.week_start.currentData())

    def clock_changed(self) -> bool:
        """Reminders, quiet hours or the customer hold differ from what was loaded."""
        team = self.team
        return (
            self.may_manage_team
            and team is not None
            and (
                self.reminders.text().strip().lower() != timing.reminders_text(team.reminders)
                or self.quiet_hours.text().strip().lower()
                != (str(team.quiet_hours) if team.quiet_hours else timing.OFF)
                or self.customer_hold.value() != team.customer_hold_seconds
            )
        )
