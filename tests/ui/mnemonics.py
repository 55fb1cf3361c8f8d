"""The &-mnemonics a window offers at once: menus, tabs, and the buttons and labels in sight."""

import re

from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMainWindow, QTabWidget, QWidget

_MNEMONIC = re.compile(r"&([^&\s])")


def _letter(text: str) -> str | None:
    match = _MNEMONIC.search(text.replace("&&", ""))
    return match.group(1).lower() if match else None


def mnemonics(window: QWidget) -> list[tuple[str, str]]:
    """(letter, text) for every mnemonic Alt+letter could reach in `window` as it is shown now."""
    found: list[tuple[str, str]] = []

    def add(text: str) -> None:
        letter = _letter(text)
        if letter is not None:
            found.append((letter, text))

    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            if action.isVisible():
                add(action.text())
    for tabs in window.findChildren(QTabWidget):
        if tabs.isVisibleTo(window):
            for index in range(tabs.count()):
                add(tabs.tabText(index))
    for button in window.findChildren(QAbstractButton):
        if button.isVisibleTo(window) and type(button).__name__ != "QToolButton":
            add(button.text())
    for label in window.findChildren(QLabel):
        if label.isVisibleTo(window) and label.buddy() is not None:
            add(label.text())
    for box in window.findChildren(QGroupBox):
        if box.isVisibleTo(window):
            add(box.title())
    return found


def duplicates(window: QWidget) -> dict[str, list[str]]:
    by_letter: dict[str, list[str]] = {}
    for letter, text in mnemonics(window):
        by_letter.setdefault(letter, []).append(text)
    return {letter: texts for letter, texts in by_letter.items() if len(texts) > 1}
