"""The supervisors' Templates page: edit a kind's texts, see the preview and its SMS cost, save, revert."""

from dispatch_desktop.domain.sms_segments import segments
from dispatch_desktop.ui.kit.sms_meter import SmsMeter, meter_note
from dispatch_desktop.ui.kit.style import FIELD_ERROR


def test_the_meter_names_the_segments_and_the_character_that_forces_ucs2(qtbot) -> None:
    assert meter_note(segments("On our way")) == "10 characters · 1 segment · GSM-7"
    assert meter_note(segments("Su cita está confirmada")) == "23 UCS-2 units · 1 segment · UCS-2 because of 'á'"
    meter = SmsMeter()
    qtbot.addWidget(meter)
    meter.show_count(segments("á" + "a" * 100))  # é is GSM-7, á is not
    assert meter.text() == "101 UCS-2 units · 2 segments · UCS-2 because of 'á'"
    assert not meter.over and FIELD_ERROR not in meter.styleSheet()
    meter.show_count(segments("a" * 307))  # 153 + 153 + 1
    assert meter.text() == "307 characters · 3 segments · GSM-7 (over the limit of 2)"
    assert meter.over and FIELD_ERROR in meter.styleSheet()
