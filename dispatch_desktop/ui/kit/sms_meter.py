"""What a rendered text costs as an SMS: length, segments and the encoding, red past the budget.

"2 segments · UCS-2 because of 'é'": the character named is the first one outside the GSM-7
alphabet, the one a person would replace to get the cheaper encoding back.
"""

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from dispatch_desktop.domain.sms_segments import GSM7, MAX_SEGMENTS, SegmentCount
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
    """One line under an SMS: what it costs, in red when it is over the two-segment budget."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.over = False

    def show_count(self, count: SegmentCount) -> None:
        self.over = count.segments > MAX_SEGMENTS
        note = meter_note(count)
        self.setText(tr("%s (over the limit of %d)") % (note, MAX_SEGMENTS) if self.over else note)
        self.setStyleSheet(error_style() if self.over else INFO_STYLE)
