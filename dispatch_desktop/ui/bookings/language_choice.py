"""The customer's language, as the booking form and the call-center panel offer it."""

from PySide6.QtWidgets import QComboBox, QWidget

from dispatch_desktop.domain.language import ENGLISH
from dispatch_desktop.services import customers


class LanguageChoice(QComboBox):
    """The shipped languages by their own names, showing the customer's (else the team's).

    `chosen()` is None while it shows what the customer already gets, so saving a booking never
    pins a customer who follows the team to today's team language.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.team = ENGLISH
        self.stored: str | None = None
        for code, name in customers.message_languages():
            self.addItem(name, code)

    def follow_team(self, language: str) -> None:
        self.team = language
        self.show_customer(self.stored)

    def show_customer(self, stored: str | None) -> None:
        """A returning customer's language preselected; None: a new one, or one following the team."""
        self.stored = stored
        self.setCurrentIndex(max(self.findData(stored or self.team), 0))

    def chosen(self) -> str | None:
        code = self.currentData()
        return None if code == (self.stored or self.team) else code
