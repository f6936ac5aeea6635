"""Long texts in pieces of bounded size, cut where the text itself breaks.

spaCy's parser and entity recogniser precompute their hidden layers for every token of a Doc at
once: parsing 240 KB of text in one Doc peaked at 914 MB against a 166 MB idle process, while
attribution, places and actors on that Doc added under 15 MB (``make bench-longtext`` measures
the chunked path). Parsing piece by piece keeps the peak to what one piece costs.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from claimwatch.extract.docindex import doc_text

# the end of a blank line, of a line, of a sentence, of a word: the best break found is used
_BREAKS = (
    re.compile(r"\n[^\S\n]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"(?<!\b[A-Z])(?<!\b[A-Z][a-z])(?<!\b[A-Z][a-z]{2})[.!?][\"'”’)\]]*\s+"),  # not "Dr." or "J."
    re.compile(r"\s+"),
)


def cut_before(text: str, lo: int, hi: int) -> int:
    """Where to end a piece that may end anywhere in (lo, hi]: after the last paragraph break there,
    else line break, sentence end or space (the whitespace goes with the piece); else at ``hi``."""
    for pattern in _BREAKS:
        end = None
        for m in pattern.finditer(text, lo, hi):
            end = m.end()
        if end is not None and end > lo:
            return end
    return hi


def chunk_bounds(text: str, size: int) -> list[tuple[int, int]]:
    """[start, end) pieces that cover ``text`` in order, each at most ``size`` characters and,
    unless the text has no break in a whole half ``size``, at least half of it."""
    bounds, start = [], 0
    while len(text) - start > size:
        end = cut_before(text, start + size // 2, start + size)
        bounds.append((start, end))
        start = end
    bounds.append((start, len(text)))
    return bounds


def context_start(doc: Doc, max_chars: int) -> int:
    """Where in ``doc``'s text the sentences start that fit, whole, in its last ``max_chars``
    characters: the text carried into the next piece, so that "He noted …" or "the adviser said …"
    at the start of that piece still finds whom it refers to. ``len(text)`` when none fits."""
    length = len(doc_text(doc))
    start = length
    for sent in reversed(list(doc.sents)):
        if length - sent.start_char > max_chars:
            break
        start = sent.start_char
    return start
