"""What a rendered text costs as an SMS: length, segments and the encoding; red when it is refused
("3 segments" in red: a draft too long to keep its day once cut).

"2 segments · UCS-2 because of 'á'": the character named is the first one outside the GSM-7
alphabet, the one a person would replace to get the cheaper encoding back.
"""

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from dispatch_desktop.domain.sms_segments import GSM7, MAX_SEGMENTS, SegmentCount, segments
from dispatch_desktop.ui.kit.message_line import INFO_STYLE, error_style
from dispatch_desktop.ui.kit.plain import PlainLabel


def tr(text: str) -> str:
    return QCoreApplication.translate("SmsMeter", text)


def meter_note(count: SegmentCount) -> str:
    units = tr("characters") if count.encoding == GSM7 else tr("UCS-2 units")
    plural = tr("segment") if count.segments == 1 else tr("segments")
    note = f"{count.length} {units} · {count.segments} {plural} · {count.encoding}"
    if count.first_ucs2_char is not None:
        note += tr(" because of %s") % repr(count.first_ucs2_char)
    return note


class SmsMeter(PlainLabel):
    """One line under an SMS: what it costs, or in red that a draft over the budget is refused."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.refused = False

    def show_count(self, count: SegmentCount) -> None:
        self.refused = False
        self.setText(meter_note(count))
        self.setStyleSheet(INFO_STYLE)

    def show_refused(self, typed: str, count: SegmentCount | None = None) -> None:
        """Red: the SMS as typed is refused. `count`: what it would cost, when its length is why;
        else names a character of `typed` that forces UCS-2, if one does."""
        self.refused = True
        if count is not None:
            self.setText(meter_note(count) + tr(" · refused: at most %d segments") % MAX_SEGMENTS)
        else:
            note = tr("Not counted: this SMS does not render as typed")
            odd = segments(typed).first_ucs2_char
            self.setText(note + tr("; %s makes it UCS-2") % repr(odd) if odd else note)
        self.setStyleSheet(error_style())
