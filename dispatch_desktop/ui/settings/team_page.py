"""Settings page: the team's business time zone, default phone region and company name and phone
(the name opens every customer text), shared by every workstation."""

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLineEdit, QWidget

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.team import TeamSettings
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
        self.company_name = QLineEdit()
        self.company_name.setMaxLength(validation.COMPANY_NAME_MAX)
        self.company_name.setPlaceholderText(tr("none: customer texts carry no company name"))
        self.company_phone = QLineEdit()
        self.company_phone.setPlaceholderText(tr("the number customers call back"))
        form = QFormLayout(self)
        form.addRow(tr("Business time zone"), self.timezone)
        form.addRow(tr("Default phone region"), self.region)
        form.addRow(tr("Company name"), self.company_name)
        form.addRow(tr("Company phone"), self.company_phone)
        if not may_manage_team:
            for field in (self.timezone, self.region, self.company_name, self.company_phone):
                field.setEnabled(False)
            form.addRow(PlainLabel(tr("Only supervisors change team settings.")))

    def show_team(self, team: TeamSettings) -> None:
        self.team = team
        self.timezone.setCurrentText(team.timezone_name)
        self.region.setText(team.region)
        self.company_name.setText(team.company_name or "")
        self.company_phone.setText(team.company_phone or "")

    def changed(self) -> bool:
        return (
            self.may_manage_team
            and self.team is not None
            and (
                self.timezone.currentText().strip() != self.team.timezone_name
                or self.region.text().strip().upper() != self.team.region
                or self.company_name.text().strip() != (self.team.company_name or "")
                or self.company_phone.text().strip() != (self.team.company_phone or "")
            )
        )
