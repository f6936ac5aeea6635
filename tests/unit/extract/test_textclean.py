"""Invisible characters out of article text, with every offset still pointing into the text as given."""

from __future__ import annotations

import re
import sys
import unicodedata

from claimwatch.textclean import CONTROL_CHARS, FORMAT_CHARS, clean_text, strip_invisible

RLO, PDF, LRI, PDI, ZWSP, SHY = "\u202e", "\u202c", "\u2066", "\u2069", "\u200b", "\u00ad"


def test_every_control_and_format_character_of_this_unicode_is_covered():
    pattern = re.compile(f"[{CONTROL_CHARS}{FORMAT_CHARS}]")
    missed = [
        f"U+{c:04X}"
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in ("Cc", "Cf") and chr(c) not in "\t\n" and not pattern.match(chr(c))
    ]
    assert not missed, f"unicodedata {unicodedata.unidata_version}: {missed}"
    assert not pattern.search("\t\n Kyiv Київ ‘quoted’ — 2025")


def test_text_without_invisible_characters_is_left_alone():
    text = "Officials in Kyiv said on Monday that “the talks would resume”.\n\nНічого."
    clean = clean_text(text)
    assert clean.text is text and clean.removed == ()
    assert clean.original_span(3, 20) == (3, 20)


def test_bidi_and_zero_width_characters_go_and_spans_map_back_to_the_text_as_given():
    given = f"He said {RLO}“the bridge{PDF} at Pok{ZWSP}rov{SHY}sk is {LRI}closed{PDI}”.\r\nShe left."
    clean = clean_text(given)
    assert clean.text == "He said “the bridge at Pokrovsk is closed”.\nShe left."
    for start in range(len(clean.text)):
        for end in range(start + 1, len(clean.text) + 1):
            a, b = clean.original_span(start, end)
            # the same characters, with nothing invisible at either edge
            assert clean_text(given[a:b]).text == clean.text[start:end]
            assert strip_invisible(given[a]) and strip_invisible(given[b - 1]), (start, end)
    word = clean.text.index("Pokrovsk")
    a, b = clean.original_span(word, word + len("Pokrovsk"))
    assert given[a:b] == f"Pok{ZWSP}rov{SHY}sk"


def test_line_separating_controls_become_line_feeds_and_a_lone_surrogate_a_replacement_character():
    clean = clean_text("one\rtwo\x0cthree\x85four\r\nfive\x00six\ud800")
    assert clean.text == "one\ntwo\nthree\nfour\nfivesix\ufffd"
    assert clean.original_span(0, len(clean.text)) == (0, len(clean.text) + 2)  # the CR before LF, the NUL
