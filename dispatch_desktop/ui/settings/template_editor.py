"""The Templates page's widgets: one editor per part, the variables a kind may use, and the preview.

Only widgets here; what is loaded, saved and previewed is the page's (templates_page.py).
"""

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QUrl, Signal
from PySide6.QtGui import QFontDatabase, QKeyEvent, QMouseEvent, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.message_kinds import (
    DEFAULT_LANGUAGE,
    HTML,
    PART_LABELS,
    PARTS,
    SMS,
    SUBJECT,
    TEXT,
)
from dispatch_desktop.domain.sms_segments import SegmentCount
from dispatch_desktop.services import customers
from dispatch_desktop.services.template_views import Preview, TemplateSummary
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.sms_meter import SmsMeter


def tr(text: str) -> str:
    return QCoreApplication.translate("TemplatesPage", text)


def part_titles() -> dict[str, str]:
    """The tab title of each part, with the mnemonics the Templates page leaves free."""
    return {SMS: tr("&SMS"), SUBJECT: tr("Su&bject"), TEXT: tr("Plain te&xt"), HTML: tr("&HTML")}


def placeholder(name: str) -> str:
    return "{{ " + name + " }}"


def buddy(text: str, widget: QWidget) -> PlainLabel:
    """A label whose Alt+letter moves the focus to `widget`."""
    label = PlainLabel(text)
    label.setBuddy(widget)
    return label


def column(*widgets: QWidget, stretch: QWidget) -> QWidget:
    """Widgets one under the other, `stretch` taking the room that is left."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1 if widget is stretch else 0)
    return holder


class KindList(QListWidget):
    """The message kinds by what they are, with the languages a supervisor changed them in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)

    def show_summaries(self, summaries: Sequence[TemplateSummary], current: str | None) -> None:
        self.blockSignals(True)
        self.clear()
        for summary in summaries:
            name = summary.description.capitalize()
            changed = ", ".join(summary.languages)
            item = QListWidgetItem(tr("%s · changed (%s)") % (name, changed) if changed else name)
            item.setData(Qt.ItemDataRole.UserRole, summary.kind)
            self.addItem(item)
            if summary.kind == current:
                self.setCurrentItem(item)
        self.blockSignals(False)

    def select_quietly(self, kind: str | None) -> None:
        """`kind` selected without asking to leave the kind shown (the question was asked)."""
        if kind in self.kinds():
            self.blockSignals(True)
            self.setCurrentRow(self.kinds().index(kind))
            self.blockSignals(False)

    def kinds(self) -> list[str]:
        return [self.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.count())]


class LanguagePicker(QComboBox):
    """The shipped languages, and any other a supervisor wrote an override in: "Spanish (es)"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

    def show_languages(self, summaries: Sequence[TemplateSummary]) -> None:
        current = self.code() or DEFAULT_LANGUAGE
        overridden = {code for summary in summaries for code in summary.languages}
        self.blockSignals(True)
        self.clear()
        shipped = [code for code, _name in customers.message_languages()]
        for code in (*shipped, *sorted(overridden - set(shipped))):
            self.addItem(f"{QLocale.languageToString(QLocale(code).language())} ({code})", code)
        self.blockSignals(False)
        self.select_quietly(current)

    def code(self) -> str:
        return str(self.currentData() or "")

    def select_quietly(self, code: str) -> None:
        self.blockSignals(True)
        self.setCurrentIndex(max(0, self.findData(code)))
        self.blockSignals(False)


class PartEditors(QTabWidget):
    """A tab per part, each a plain-text editor in a fixed-width font; Tab moves on, as in a form."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editors: dict[str, QPlainTextEdit] = {}
        self.shown_parts: tuple[str, ...] = PARTS
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        for part, title in part_titles().items():
            editor = QPlainTextEdit()
            editor.setObjectName(f"template_{part}")
            editor.setFont(font)
            editor.setTabChangesFocus(True)
            editor.textChanged.connect(self.edited)
            self.editors[part] = editor
            self.addTab(editor, title)

    def show_parts(self, parts: Sequence[str]) -> None:
        """Only the tabs of the parts a kind has (a reply to a text is an SMS only)."""
        self.shown_parts = tuple(parts)
        for index, part in enumerate(PARTS):
            self.setTabVisible(index, part in parts)
        if self.current_part() not in parts:
            self.show_part(parts[0])

    def current_part(self) -> str:
        return PARTS[self.currentIndex()]

    def show_part(self, part: str) -> None:
        self.setCurrentIndex(PARTS.index(part))

    def texts(self) -> dict[str, str]:
        """The text of each part the kind has."""
        return {part: self.editors[part].toPlainText() for part in self.shown_parts}

    def set_texts(self, texts: Mapping[str, str]) -> None:
        """Replace the texts with one `edited` at most (one reload is one change, none when equal)."""
        replaced = False
        for part, text in texts.items():
            editor = self.editors[part]
            if editor.toPlainText() != text:
                editor.blockSignals(True)
                editor.setPlainText(text)
                editor.blockSignals(False)
                replaced = True
        if replaced:
            self.edited.emit()

    def insert(self, text: str) -> None:
        """`text` at the cursor of the part shown, which keeps the focus."""
        editor = self.editors[self.current_part()]
        editor.insertPlainText(text)
        editor.setFocus()


class VariableList(QListWidget):
    """The variables a kind may use; a click, Enter or Space on one chooses it."""

    chosen = Signal(str)

    def show_variables(self, names: Sequence[str]) -> None:
        self.clear()
        for name in names:
            item = QListWidgetItem(placeholder(name))
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.addItem(item)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        item = self.itemAt(event.position().toPoint())
        if item is not None and event.button() == Qt.MouseButton.LeftButton:
            self.chosen.emit(placeholder(item.data(Qt.ItemDataRole.UserRole)))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if item is not None and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.chosen.emit(placeholder(item.data(Qt.ItemDataRole.UserRole)))
            return
        super().keyPressEvent(event)


class _LoadsNothing(QTextDocument):
    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        return None  # a template's <img src=file:///...> must not read this computer's files


class HtmlPreview(QTextBrowser):
    """The HTML part laid out as a mail client would, loading nothing: no image, file or link."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDocument(_LoadsNothing(self))
        self.setOpenLinks(False)
        self.setTabChangesFocus(True)


class PreviewPane(QWidget):
    """The part shown, rendered: plain text as it is sent, HTML laid out; under an SMS what it costs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = PlainLabel(tr("Preview"))
        self.invite = PlainLabel()  # under an email's parts: what it puts in the recipient's calendar
        self.invite.setObjectName("templateInvite")
        self.text_view = QPlainTextEdit()
        self.text_view.setObjectName("templatePreview")
        self.text_view.setReadOnly(True)
        self.text_view.setTabChangesFocus(True)
        self.html_view = HtmlPreview()
        self.html_view.setObjectName("templateHtmlPreview")
        self.views = QStackedWidget()
        self.views.addWidget(self.text_view)
        self.views.addWidget(self.html_view)
        self.meter = SmsMeter()
        self.meter.setObjectName("templateMeter")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.title)
        column.addWidget(self.invite)
        column.addWidget(self.views, 1)
        column.addWidget(self.meter)

    def show_preview(
        self,
        preview: Preview | None,
        part: str,
        refused: str | None,
        typed: str,
        refused_count: SegmentCount | None = None,
    ) -> None:
        """`preview` (the last that rendered) of `part`; `refused`: the part whose draft is refused;
        `typed`: the SMS as typed; `refused_count`: what a refused SMS costs, when its length is why."""
        self.meter.setVisible(part == SMS)
        if preview is None:
            return
        source = tr("sample booking") if preview.booking == "sample" else preview.booking
        title = tr("Preview of the %s, %s") % (PART_LABELS[part], source)
        self.title.setText(tr("%s, as it last rendered") % title if refused else title)
        self.invite.setText(tr("Calendar invite: %s") % preview.invite if preview.invite else "")
        self.invite.setVisible(part != SMS and preview.invite is not None)
        if part == HTML:
            self.html_view.setHtml(preview.html or "")
            self.views.setCurrentWidget(self.html_view)
        else:
            self.text_view.setPlainText(getattr(preview, part) or "")
            self.views.setCurrentWidget(self.text_view)
        count = preview.sms_count()
        if refused == SMS:
            self.meter.show_refused(typed, refused_count)
        elif count is not None:
            self.meter.show_count(count)
