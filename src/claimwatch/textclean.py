"""Invisible characters out of article text: controls, bidi overrides, zero-width and other format
characters.

A right-to-left override inside a quote makes an alert read differently from what the article
says, and a zero-width space or soft hyphen inside "Pokrovsk" hides it from every watch. What is
removed: Unicode's controls (category Cc) except tab and line feed, and all of its format
characters (Cf: the bidi embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069,
the marks U+200E, U+200F and U+061C, zero-width space, joiners and no-break U+200B–U+200D,
U+2060, U+FEFF, the soft hyphen, the invisible tag characters U+E0001–U+E007F, …). The line
separators among the controls (CR, VT, FF, U+001C–U+001E, NEL) become line feeds instead, and a
CR before a line feed is dropped; a lone surrogate becomes U+FFFD.

``clean_text`` keeps a map from the cleaned text back to the text as given, so extraction runs
on the cleaned text while every span it reports still indexes the article text as given.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# Cf as of Unicode 15.0 (tests/unit/extract/test_textclean.py checks it covers this Python's
# unicodedata), and Cc without tab and line feed.
FORMAT_CHARS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
CONTROL_CHARS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85"
_INVISIBLE = re.compile(f"[{CONTROL_CHARS}{FORMAT_CHARS}\ud800-\udfff]+")


def strip_invisible(text: str) -> str:
    """``text`` without controls (but tab and line feed) and format characters, for display."""
    return _INVISIBLE.sub("", text) if text else text


@dataclass(frozen=True)
class CleanText:
    """A cleaned text and where its characters came from."""

    text: str
    # one entry per removed character: the index in ``text`` of the first character kept after it
    removed: tuple = ()

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """[start, end) in the cleaned text → the same characters' [start, end) in the text as given
        (removed characters at either edge left out)."""
        if not self.removed:
            return start, end
        first = start + bisect.bisect_right(self.removed, start)
        last = end - 1 + bisect.bisect_right(self.removed, end - 1)
        return first, max(first, last + 1)


def clean_text(text: str) -> CleanText:
    """The text with invisible characters removed (see the module docstring), and its map."""
    if not _INVISIBLE.search(text):
        return CleanText(text)
    out: list[str] = []
    removed: list[int] = []
    kept = pos = 0  # characters written so far; where in ``text`` the next piece starts
    for m in _INVISIBLE.finditer(text):
        out.append(text[pos : m.start()])
        kept += m.start() - pos
        for i in range(m.start(), m.end()):
            c = text[i]
            if c in _LINE_BREAKS and not (c == "\r" and text[i + 1 : i + 2] == "\n"):
                out.append("\n")
            elif "\ud800" <= c <= "\udfff":
                out.append("\ufffd")
            else:
                removed.append(kept)
                continue
            kept += 1
        pos = m.end()
    out.append(text[pos:])
    return CleanText("".join(out), tuple(removed))
