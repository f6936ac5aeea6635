"""Per-Doc lookups computed once: the text, sentences and entities by token index.

spaCy's ``Token.sent`` and ``Span.ents`` each walk the document; called per candidate they
dominated extraction time, so everything here is a list plus binary search.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy-free at run time: the alert function resolves places without spaCy
    from spacy.tokens import Doc, Span


_TEXT_KEY = "claimwatch.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once per document: spaCy re-joins every token on each access, and
    extraction, places, actors and claim ids each need it."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


class DocIndex:
    def __init__(self, doc: Doc):
        self.doc = doc
        self.sents: list[Span] = list(doc.sents)
        self._sent_starts = [s.start for s in self.sents]
        self.ents: list[Span] = list(doc.ents)
        self._ent_starts = [e.start for e in self.ents]

    def sent_of(self, i: int) -> Span:
        """The sentence holding token ``i``."""
        return self.sents[bisect.bisect_right(self._sent_starts, i) - 1]

    def ents_in(self, start: int, end: int) -> list[Span]:
        """Entities lying within tokens [start, end)."""
        lo = bisect.bisect_left(self._ent_starts, start)
        out = []
        for ent in self.ents[lo:]:
            if ent.start >= end:
                break
            if ent.end <= end:
                out.append(ent)
        return out
