"""domain/sms_segments.py: what a carrier bills, GSM-7 against UCS-2, and fitting a budget."""

from dispatch_desktop.domain.sms_segments import ELLIPSIS, fit, is_gsm, segments


def test_gsm_texts_take_160_alone_and_153_per_part() -> None:
    assert [segments("a" * n).segments for n in (0, 160, 161, 306, 307)] == [1, 1, 2, 2, 3]


def test_one_character_outside_gsm_makes_the_whole_text_ucs2() -> None:
    assert is_gsm("Café à 9h") and not is_gsm("Łódź")
    assert [segments("ł" * n).segments for n in (70, 71, 134, 135)] == [1, 2, 2, 3]
    assert segments("a" * 159 + "ł").segments == 3  # 160 UCS-2 units: 67 + 67 + 26


def test_an_extension_character_takes_two_septets_and_is_never_split() -> None:
    assert segments("€" * 80).segments == 1  # 160 septets
    assert segments("a" * 152 + "€" + "a" * 152).segments == 3  # the € cannot straddle 152|153
    assert segments("a" * 151 + "€" + "a" * 153).segments == 2


def test_a_character_beyond_the_bmp_is_a_pair_of_units_never_split() -> None:
    assert segments("🙂" * 35).segments == 1  # 70 units
    assert segments("a" * 66 + "🙂" + "a" * 66).segments == 3  # the pair cannot straddle 66|67
    assert segments("a" * 65 + "🙂" + "a" * 67).segments == 2


def test_fit_keeps_the_prefix_and_suffix_whole_and_cuts_the_middle() -> None:
    text = fit("word " * 100, prefix="Acme Plumbing: ", suffix=" Reply STOP to opt out.")
    assert text.startswith("Acme Plumbing: word") and text.endswith(ELLIPSIS + " Reply STOP to opt out.")
    assert segments(text).segments == 2
    assert fit("short", prefix="A: ", suffix=" B") == "A: short B"
    polish = fit("Zażółć gęślą jaźń " * 20, prefix="Łódź: ")
    assert polish.startswith("Łódź: Zażółć") and segments(polish).segments == 2
    assert len(polish) == 2 * 67  # as long as two UCS-2 segments allow
