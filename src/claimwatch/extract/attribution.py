"""Attribution relations (source, cue, content) from a parsed spaCy Doc, by dependency rules.

One pass over the tokens finds candidate cues (lexicon verbs and nouns, "according to", hedge
adverbs); each candidate is then examined only through its own dependency neighbourhood, so the
cost stays a small fraction of the parse itself.

Span conventions follow PolNeAR: the content excludes the cue and the source; a content split by
a parenthetical cue ("This approach, he claimed, mirrors …") is given as its envelope (first
start, last end) and its text is the pieces joined; direct quotes spanning several sentences are
one content.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from claimwatch import model
from claimwatch.extract import lexicon
from claimwatch.extract.coref import SourceResolver, is_animate
from claimwatch.extract.dates import claim_date
from claimwatch.extract.docindex import DocIndex, doc_text

_SUBJ = ("nsubj", "nsubjpass", "csubj")
_CLAUSE_DEPS = ("ccomp",)
_INHERIT_SUBJ_DEPS = ("conj", "xcomp", "advcl", "acl")
_WH = {"who", "which", "that", "whom"}
_EDGE_PUNCT = set(",.;:!?—–-\"'“”‘’()[]") | {"--", "―"}
_QUOTE_MARKS = "\"'“”‘’`"
# (a line may open with a mistyped closing mark: '”Fear. I am truly afraid …”')
# a quote may run over paragraphs: the paragraph ends without a closing mark and the next one
# opens with a quotation mark ('"… There are no soldiers there.\n\n"We are asking …"')
_QUOTE_RE = re.compile(
    r"“(?:[^“”\n]{2,}\n+[^\S\n]*“)+[^“”\n]{2,}?”|\"(?:[^\"\n]{2,}\n+[^\S\n]*\")+[^\"\n]{2,}?\"|"
    r"(?<![^\n])”[^”\n]{2,}?”|“[^”\n]{2,}?”|''[^\n]{2,}?''|``[^\n]{2,}?''|\"[^\"\n]{2,}?\"|‘[^’\n]{8,}?’(?!\w)"
)
_NAME = r"[A-Z][\w.'’-]*(?:[^\S\n]+(?:[A-Z][\w.'’-]*|de|van|von|al|bin))*"
# '“…” ― Stephanie Egan': a quote signed with a dash
_DASH_SIGNATURE = re.compile(rf"[^\S\n]*([―—])[^\S\n]*({_NAME})")
# 'PENCE: Well, …' (transcripts) and 'Pat Caddell: Democrat voters …' (headline attributions)
_SPEAKER_LABEL = re.compile(rf"(?m)^(?:[^\S\n]|[\"“])*({_NAME})(:)[^\S\n]+(\S[^\n]*)")
# labels that head a line like a speaker but introduce no one's words
_NON_SPEAKER_LABELS = {
    "correction",
    "update",
    "note",
    "editor",
    "related",
    "photo",
    "video",
    "watch",
    "source",
    "sources",
    "read",
    "see",
    "advertisement",
    "credit",
    "tags",
    "share",
}
# a wire dateline opening the lead: "KYIV, Jan 2 (Reuters) - ", "KYIV, Ukraine (AP) — ", "WASHINGTON -- ",
# or its tail when the parser cut the city off: "March 12 (Wire) - "
_DATELINE = re.compile(
    r"(?:[A-Z][A-Z.'’ -]{2,}(?:,[^()\n,]{1,30}){0,2}\s*(?:\([^()\n]{1,40}\))?"
    r"|[A-Z][a-z]{2,4}\.? \d{1,2} \([^()\n]{1,40}\))\s*(?:--|[-—–―])\s+"
)
_EMPTY_OBJECTS = {
    "goodbye",
    "hello",
    "thanks",
    "hi",
    "grace",
    "yes",
    "no",
    "nothing",
    "something",
    "anything",
    "much",
    "little",
    "more",
    "so",
    "a lot",
    "prayer",
}
# "(asked) not to be named / identified / quoted": a condition on the speaker, not a claim
_IDENTIFYING_VERBS = frozenset({"name", "identify", "quote", "cite"})
# Attitudes that, reported inside someone's words, are part of that claim (PolNeAR marks one).
_FOLDED_CLASSES = {
    lexicon.BELIEF,
    lexicon.INTENTION,
    lexicon.EVIDENCE,
    lexicon.STANCE,
    lexicon.APPEARANCE,
    lexicon.OPEN,
}
_SPEAKER_LABEL_LEMMA = "speaker label"
# people a denial verb removes rather than denies ("dismissed Ukraine's top military commander")
_DISMISSABLE = {
    "commander",
    "chief",
    "minister",
    "official",
    "officer",
    "head",
    "director",
    "general",
    "manager",
    "coach",
    "nominee",
    "candidate",
    "adviser",
    "advisor",
    "ambassador",
    "governor",
}
_COPULAS = {"be", "seem", "appear", "remain", "become", "feel", "sound"}
_IMPERSONAL = {"it", "this", "that", "there", "which", "what"}
_CUE_LEFT_DEPS = ("aux", "auxpass", "neg", "advmod")
# tokens that may stand between a verb and the preposition of its cue ("spoke out Tuesday about")
_CUE_GAP_DEPS = ("prt", "advmod", "npadvmod")
_TRAILING_ADVERBS = {"then", "later", "again"}
# "said in an interview", "wrote in an email": PolNeAR puts the medium of speech in the cue
_CUE_MEDIA = {"interview", "email", "e-mail"}
# cues that cite ("citing officials", "with reference to"): such a claim sits in the claim whose
# cue follows it in the sentence (link_nested)
_CITATION_LEMMAS = {"cite", lexicon.WITH_REFERENCE_TO}


@dataclass
class _Found:
    """A claim under construction, in token/char terms."""

    cue_start: int
    cue_end: int
    cue_lemma: str
    content_pieces: list  # [(start_char, end_char)]
    source: Span | None
    source_head: Token | None  # for "who said": the noun the relative clause modifies
    cls: str | None
    hedged: bool
    sent: Span
    cue_chars: tuple | None = None  # exact cue offsets when they split a token ('”―')


def _quote_regions(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTE_RE.finditer(text)]


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Token range [start, end) trimmed of edge punctuation and spaces → char span."""
    while start < end and (doc[start].is_punct or doc[start].is_space or doc[start].text in _EDGE_PUNCT):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].text in _EDGE_PUNCT):
        end -= 1
    if start >= end:
        return None
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1])


def _subtree_range(tok: Token) -> tuple[int, int]:
    return tok.left_edge.i, tok.right_edge.i + 1


def _ranges_minus(lo: int, hi: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token range [lo, hi) minus the hole ranges → list of remaining ranges."""
    pieces, cur = [], lo
    for a, b in sorted(holes):
        if b <= cur or a >= hi:
            continue
        if a > cur:
            pieces.append((cur, a))
        cur = max(cur, b)
    if cur < hi:
        pieces.append((cur, hi))
    return pieces


def _char_pieces(doc: Doc, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a, b in ranges:
        span = _trim(doc, a, b)
        if span:
            out.append(span)
    return out


def _anonymity_condition(clause: Token) -> bool:
    """ "(asked) not to be named / identified / quoted": a condition on the speaker, not a claim."""
    return clause.lemma_ in _IDENTIFYING_VERBS and any(c.dep_ == "auxpass" for c in clause.children)


@dataclass
class _VerbClause:
    """What the verb-claim patterns look at: the cue verb, its lexicon entry and children, the
    cue's token range, the sentence, and the source and content candidates found for it."""

    verb: Token
    entry: lexicon.CueEntry
    children: list[Token]
    passive: bool
    cue_lo: int
    cue_hi: int
    sent: Span
    source: Token | None = None
    rel_head: Token | None = None  # for "who said": the noun the relative clause modifies
    content: Token | None = None  # the clausal complement, if any


def _content_is_not_the_claim(clause: _VerbClause) -> bool:
    """ "appeared to suggest that …" (the inner verb has the claim, cue "appeared to suggest")
    and "This narrative seeks to portray …" (no one intends): the complement is no content."""
    content, entry = clause.content, clause.entry
    if content is None or content.dep_ != "xcomp":
        return False
    if entry.cls == lexicon.APPEARANCE and lexicon.verb_entry(content.lemma_) is not None:
        return True
    return (
        clause.source is not None
        and not is_animate(clause.source)
        and entry.cls in (lexicon.INTENTION, lexicon.APPEARANCE)
    )


def _object_without_speaker(clause: _VerbClause) -> list[tuple[int, int]] | None:
    """ "His presence underscored the gravity …": an object noun phrase needs a speaker, so an
    inanimate subject ends the search with no content."""
    if clause.source is not None and not is_animate(clause.source):
        return []
    return None


class _Extractor:
    def __init__(self, doc: Doc, index: DocIndex):
        self.doc = doc
        self.index = index
        self.text = doc_text(doc)
        self.quotes = _quote_regions(self.text)
        self._quote_starts = [q[0] for q in self.quotes]
        self.nested: list[_Found] = []  # "citing X" / "with reference to X" inside a source

    # ---- quotes -------------------------------------------------------------------------
    def inner(self, q: tuple[int, int]) -> tuple[int, int]:
        """A quote region without its quotation marks (one or two characters: “ or '')."""
        start, end = q
        while start < end and self.text[start] in _QUOTE_MARKS:
            start += 1
        while end > start and self.text[end - 1] in _QUOTE_MARKS:
            end -= 1
        return start, end

    def quote_around(self, start: int, end: int) -> tuple[int, int] | None:
        """The quote region containing [start, end), if any."""
        i = bisect.bisect_right(self._quote_starts, start) - 1
        if i >= 0:
            qs, qe = self.quotes[i]
            if qs <= start and end <= qe:
                return qs, qe
        return None

    def quote_ending_before(self, char: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self._quote_starts, char) - 1
        while i >= 0:
            qs, qe = self.quotes[i]
            gap = self.text[qe:char]
            if qe <= char and len(gap) <= 3 and not gap.strip(" ,—–-"):
                return qs, qe
            if qe <= char:
                return None
            i -= 1
        return None

    def quote_starting_after(self, char: int) -> tuple[int, int] | None:
        i = bisect.bisect_left(self._quote_starts, char)
        if i < len(self.quotes):
            qs, qe = self.quotes[i]
            gap = self.text[char:qs]
            if len(gap) <= 3 and not gap.strip(" ,:—–-"):
                return qs, qe
        return None

    # ---- sources -------------------------------------------------------------------------
    @staticmethod
    def subject_of(verb: Token) -> tuple[Token | None, Token | None]:
        """(subject token, relative-clause head) of a verb, inheriting through conj/xcomp/advcl."""
        cur = verb
        for _ in range(4):
            subj = None
            for child in cur.children:
                if child.dep_ in ("nsubj", "csubj"):  # after the verb too: '"…," said Caddell.'
                    if subj is None or (subj.lower_ in _WH and child.lower_ not in _WH):
                        subj = child  # "which they claim …": the pronoun, not the relative, speaks
                    elif (
                        subj.i < child.i < cur.i
                        and child.lower_ not in _WH
                        and child.left_edge.i > 0
                        and child.doc[child.left_edge.i - 1].text in (",", "-", "--", "—", "–")
                    ):
                        # "… with 31 percent of the vote, the commission said", "DETROIT, Dec 4
                        # (Wire) - General Motors said": the nearest subject speaks
                        subj = child
            if subj is not None:
                if subj.lower_ in _WH and cur.dep_ == "relcl":
                    return subj, cur.head
                return subj, None
            if cur.dep_ == "relcl" and cur.head.pos_ in ("NOUN", "PROPN", "PRON"):
                return None, None
            if cur.dep_ == "pcomp" and cur.head.dep_ == "prep" and cur.head.head.pos_ in ("VERB", "AUX"):
                cur = cur.head.head  # "began by saying …", "criticized for saying …"
                continue
            if cur.dep_ in _INHERIT_SUBJ_DEPS and cur.head is not cur:
                if cur.dep_ == "acl" and cur.head.pos_ in ("NOUN", "PROPN"):
                    return None, None
                cur = cur.head
                continue
            return None, None
        return None, None

    @staticmethod
    def agent_of(verb: Token) -> Token | None:
        for child in verb.children:
            if child.dep_ == "agent":
                for g in child.children:
                    if g.dep_ == "pobj":
                        return g
        return None

    def np_span(self, head: Token, limit_left: int | None = None, limit_right: int | None = None) -> Span:
        lo, hi = _subtree_range(head)
        if limit_right is not None:
            hi = min(hi, limit_right)
        if limit_left is not None:
            lo = max(lo, limit_left)
        # a dateline or headline fused to the sentence ("WASHINGTON -- President Obama") is not
        # part of the mention; nor is a leading "both"/"either"
        for i in range(hi - 1, lo, -1):
            if self.doc[i].text in ("--", "—", "–", "-") and self.doc[i].whitespace_:
                lo = i + 1
                break
        if lo < hi - 1 and self.doc[lo].dep_ == "preconj":
            lo += 1
        while hi > lo + 1 and (self.doc[hi - 1].is_punct or self.doc[hi - 1].is_space):
            hi -= 1
        if (
            hi < len(self.doc)
            and self.doc[hi].text == ")"
            and sum(t.text == "(" for t in self.doc[lo:hi]) > sum(t.text == ")" for t in self.doc[lo:hi])
        ):
            hi += 1  # "the World Health Organization (WHO)": keep the definition whole
        while lo < hi - 1 and (self.doc[lo].is_punct or self.doc[lo].is_space):
            lo += 1
        if head.i < lo < hi and self.doc[lo - 1].text in ("--", "—", "–", "-"):
            return self.doc[lo:hi]  # "DETROIT, Dec 4 (Wire) - Harlow Motors Inc": the dateline was the head
        if lo >= hi or not (lo <= head.i < hi):
            return self.doc[head.i : head.i + 1]
        return self.doc[lo:hi]

    # ---- cue candidates ------------------------------------------------------------------
    def run(self) -> list[_Found]:
        """Every claim of the Doc: one candidate cue per token, then the claims marked by layout
        (signatures, speaker labels) and those nested in a source."""
        found = [f for f in map(self._claim_cued_by, self.doc) if f is not None]
        found.extend(self.signature_claims())
        found.extend(self.nested)
        return found

    def _claim_cued_by(self, tok: Token) -> _Found | None:
        """The claim ``tok`` cues, by the kind of word it is: a belief adjective ("are
        convinced", "was sure"), a verb, a claim noun, "according to" or a hedge adverb."""
        lemma = tok.lemma_.lower()
        if tok.dep_ == "acomp" and tok.pos_ in ("ADJ", "VERB") and tok.lower_ in lexicon.BELIEF_ADJECTIVES:
            return self.adjective_claim(tok)
        if tok.pos_ == "VERB":
            return self._verb_cued_claim(tok, lemma)
        if tok.pos_ == "NOUN":
            cls = lexicon.noun_class(lemma)
            return self.noun_claim(tok, cls) if cls is not None else None
        if tok.lower_ == "according" and tok.dep_ == "prep":
            return self.according_claim(tok)
        if tok.lower_ in lexicon.CLAIM_HEDGE_ADVERBS and tok.dep_ == "advmod":
            return self.hedge_claim(tok)
        return None

    def _verb_cued_claim(self, verb: Token, lemma: str) -> _Found | None:
        """A lexicon verb's claim; else "according" parsed as a verb; else a verb outside the
        lexicon with an attitude object ("expressed concern about") or a that-clause."""
        entry = lexicon.verb_entry(lemma, verb.text)
        if entry is not None:
            found = self.verb_claim(verb, entry)
            if found:
                return found
        if lemma == "accord" and verb.lower_ == "according":
            return self.according_claim(verb)
        if entry is not None:
            return None
        found = self.attitude_object_claim(verb)
        if found is None and lemma not in lexicon.NON_ATTRIBUTING_VERBS:
            found = self.open_class_claim(verb)
        return found

    def _found_from_chars(
        self, cue: tuple[int, int], source: tuple[int, int], content: tuple[int, int], lemma: str
    ) -> _Found | None:
        doc = self.doc
        cue_span = doc.char_span(cue[0], cue[1], alignment_mode="expand")
        src_span = doc.char_span(source[0], source[1], alignment_mode="expand")
        if cue_span is None or src_span is None or len(cue_span) == 0:
            return None
        return _Found(
            cue_span.start,
            cue_span.end,
            lemma,
            [content],
            src_span,
            None,
            lexicon.SPEECH,
            False,
            self.index.sent_of(cue_span.start),
            cue_chars=cue,
        )

    def signature_claims(self) -> list[_Found]:
        """Attributions marked by layout rather than syntax: dash-signed quotes, speaker labels."""
        text = self.text
        out = []
        for qs, qe in self.quotes:
            m = _DASH_SIGNATURE.match(text, qe)
            if m:
                f = self._found_from_chars(m.span(1), m.span(2), self.inner((qs, qe)), "sign")
                if f:
                    out.append(f)
        for m in _SPEAKER_LABEL.finditer(text):
            words = m.group(1).split()
            if len(words) > 3 or words[0].lower().strip(".'’s") in _NON_SPEAKER_LABELS:
                continue
            content = (m.start(3), m.end(3))
            f = self._found_from_chars(m.span(2), m.span(1), content, _SPEAKER_LABEL_LEMMA)
            if f and f.source is not None and (f.source.root.pos_ == "PROPN" or len(words) == 1):
                out.append(f)
        return out

    def _content_child(self, verb: Token, entry: lexicon.CueEntry) -> Token | None:
        for child in verb.children:
            if child.dep_ in _CLAUSE_DEPS:
                return child
        for child in verb.children:
            if child.dep_ == "xcomp":
                finite = any(c.dep_ in ("aux", "auxpass") and c.lower_ != "to" for c in child.children)
                bare_speech = lexicon.verb_entry(child.lemma_) is not None and all(
                    c.dep_ == "aux" for c in child.children
                )
                if _anonymity_condition(child):  # "who asked not to be named": no proposition
                    return None
                if ("inf" in entry.frames or finite) and not bare_speech:  # not "declined to comment"
                    return child
        if "clause" in entry.frames:
            # "told analysts on a conference call that the company remained …": the parser hangs
            # the that-clause on the last noun as a relative clause whose "that" is a mere mark
            for child in verb.children:
                if child.dep_ not in ("prep", "dobj", "npadvmod") or child.i < verb.i:
                    continue
                for tok in child.subtree:
                    if (
                        tok.dep_ in ("relcl", "acl")
                        and any(g.dep_ in _SUBJ for g in tok.children)
                        and any(g.dep_ == "mark" and g.lower_ == "that" and g.i < tok.i for g in tok.children)
                    ):
                        return tok
        return None

    def verb_claim(self, verb: Token, entry: lexicon.CueEntry) -> _Found | None:
        """A claim cued by a reporting verb of the lexicon ("said", "denied", "urged", "is said
        to"): its source (the subject, or the agent of a passive) and its content, found by the
        first sentence pattern that applies (``_verb_content``)."""
        if verb.dep_ in ("amod", "compound"):
            return None
        children = list(verb.children)
        if any(c.dep_ == "dobj" and c.lower_ == "what" for c in children):
            return None  # "what he called tribalism": a label quoted in passing, no proposition
        if _makes_no_claim(verb, entry):
            return None
        passive = any(c.dep_ == "auxpass" for c in children)
        hedged = any(c.lower_ in lexicon.HEDGE_ADVERBS for c in children)
        cue_lo, cue_hi = _cue_extent(verb)
        clause = _VerbClause(verb, entry, children, passive, cue_lo, cue_hi, self.index.sent_of(verb.i))
        if passive:
            clause.source = self.agent_of(verb)
        else:
            clause.source, clause.rel_head = self.subject_of(verb)
        clause.content = self._content_child(verb, entry)
        if passive and clause.source is None:
            return self._unnamed_passive_claim(clause)
        if _content_is_not_the_claim(clause):
            return None
        pieces = (
            self._verb_content(clause)
            or self._quote_content(verb, clause.source)
            or self._long_lead_content(verb, entry, clause.source, clause.sent)
        )
        if not pieces or not self._verb_claim_stands(clause, hedged):
            return None
        source = self._nested_sources(self._source_span(clause.source, verb), clause.source, verb, pieces, clause.sent)
        return _Found(cue_lo, cue_hi, entry.lemma, pieces, source, clause.rel_head, entry.cls, hedged, clause.sent)

    def _verb_claim_stands(self, clause: _VerbClause, hedged: bool) -> bool:
        """A verb claim with content still needs a speaker (or a hedge), a speaker that is not a
        date, and a verb outside direct quotes."""
        source_tok, verb = clause.source, clause.verb
        if source_tok is None and not hedged:
            return False
        if source_tok is not None and source_tok.ent_type_ in ("DATE", "TIME"):
            return False  # "The coming days will determine whether …"
        # a verb inside a direct quote is the quoted speaker's wording
        return self.quote_around(verb.idx, verb.idx + 1) is None

    def _unnamed_passive_claim(self, clause: _VerbClause) -> _Found | None:
        """ "X is said to …": an unnamed source, hedged; the content is the subject and the
        complement."""
        entry = clause.entry
        subj = next((c for c in clause.children if c.dep_ == "nsubjpass"), None)
        content = clause.content or next((c for c in clause.children if c.dep_ == "xcomp"), None)
        if entry.lemma not in lexicon.HEDGE_PASSIVES or subj is None or content is None:
            return None
        pieces = _char_pieces(self.doc, [_subtree_range(subj), _subtree_range(content)])
        return _Found(clause.cue_lo, clause.cue_hi, entry.lemma, pieces, None, None, entry.cls, True, clause.sent)

    def _verb_content(self, clause: _VerbClause) -> list[tuple[int, int]]:
        """The content of a verb claim by the first sentence pattern that applies (each returns
        None when it does not apply, and may apply and still find nothing)."""
        patterns = (
            self._passive_subject_content,
            self._prepositional_object_content,
            self._complement_content,
            self._host_clause_content,
            _object_without_speaker,
            self._object_as_content,
            self._object_noun_phrase_content,
        )
        for pattern in patterns:
            pieces = pattern(clause)
            if pieces is not None:
                return pieces
        return []

    def _passive_subject_content(self, clause: _VerbClause) -> list[tuple[int, int]] | None:
        """ "The issue was first reported by The Washington Post": the passive subject is the
        content."""
        if not (clause.passive and clause.content is None and clause.entry.frames & {"np", "as"}):
            return None
        subj = next((c for c in clause.children if c.dep_ == "nsubjpass" and c.pos_ != "PRON"), None)
        if subj is None:
            return None
        return _char_pieces(self.doc, [_subtree_range(subj)])

    def _prepositional_object_content(self, clause: _VerbClause) -> list[tuple[int, int]] | None:
        """ "called for an investigation", "called on Congress to act", "complained about the
        mic": the object of the cue's preposition, with a complement that follows it."""
        doc, cue_hi = self.doc, clause.cue_hi
        if clause.content is not None or cue_hi <= clause.verb.i + 1 or doc[cue_hi - 1].dep_ != "prep":
            return None
        hi = doc[cue_hi - 1].right_edge.i + 1
        for c in clause.children:
            if c.i >= hi and c.dep_ in ("xcomp", "oprd", "ccomp") and c.left_edge.i <= hi + 1:
                hi = c.right_edge.i + 1
        return _char_pieces(doc, [(cue_hi, hi)])

    def _complement_content(self, clause: _VerbClause) -> list[tuple[int, int]] | None:
        """ "said that …", "urged Republicans to join …": the clausal complement (with the
        object of an object-control verb), less the source and the cue; a clause before a
        parenthetical cue ("If this fails, Mr. Castañeda argues, there are …") joins it."""
        content, source_tok, verb = clause.content, clause.source, clause.verb
        if content is None:
            return None
        doc, sent = self.doc, clause.sent
        lo, hi = _subtree_range(content)
        if content.dep_ == "xcomp":  # "urged Republicans to join …": the object is part of it
            obj = next((c for c in clause.children if c.dep_ == "dobj" and c.i < content.i), None)
            if obj is not None:
                lo = min(lo, obj.left_edge.i)
        holes = []
        if source_tok is not None and lo <= source_tok.i < hi:
            holes.append(_subtree_range(source_tok))
        if (
            clause.rel_head is not None
            and source_tok is not None
            and source_tok.i < lo
            and source_tok.lower_ == "which"
        ):
            lo = source_tok.i
            holes.append((source_tok.i + 1, content.left_edge.i))
        pieces = _char_pieces(doc, _ranges_minus(lo, hi, holes + [(clause.cue_lo, clause.cue_hi)]))
        src_lo = source_tok.left_edge.i if source_tok is not None else clause.cue_lo
        if (
            content.i > verb.i
            and src_lo > sent.start + 1
            and doc[src_lo - 1].text == ","
            and clause.cue_hi < len(doc)
            and doc[clause.cue_hi].text == ","
        ):
            pieces = _char_pieces(doc, [(sent.start, src_lo - 1)]) + pieces
        return pieces

    def _host_clause_content(self, clause: _VerbClause) -> list[tuple[int, int]] | None:
        """ "…, X said." and "This approach, he claimed, mirrors …": the clause the cue is
        attached to is the content (a ccomp of a reporting verb is that verb's content, never
        its host)."""
        verb = clause.verb
        host_is_content = verb.dep_ == "parataxis" or (
            verb.dep_ == "ccomp" and verb.head.pos_ in ("VERB", "AUX") and lexicon.verb_entry(verb.head.lemma_) is None
        )
        if not host_is_content or verb.head.i == verb.i:
            return None
        head = verb.head
        stops = ("ROOT",) if verb.dep_ == "parataxis" else ("ROOT", "ccomp", "conj", "relcl", "advcl")
        while head.dep_ not in stops and head.head.i != head.i:
            head = head.head
        lo, hi = _subtree_range(head)
        return _char_pieces(self.doc, _ranges_minus(lo, hi, [_subtree_range(verb)]))

    def _object_as_content(self, clause: _VerbClause) -> list[tuple[int, int]] | None:
        """ "described the plan as reckless", "called him a liar": the object and what it is
        called."""
        children, verb = clause.children, clause.verb
        if "as" not in clause.entry.frames or not any(c.dep_ == "dobj" for c in children):
            return None
        if not any((c.dep_ == "prep" and c.lower_ == "as") or c.dep_ in ("oprd", "xcomp") for c in children):
            return None
        obj = next(c for c in children if c.dep_ == "dobj")
        last = max(
            (c for c in children if c.i > verb.i and c.dep_ not in ("punct", "npadvmod", "advcl", "cc", "conj")),
            key=lambda c: c.i,
        )
        return _char_pieces(self.doc, [(obj.left_edge.i, last.right_edge.i + 1)])

    def _object_noun_phrase_content(self, clause: _VerbClause) -> list[tuple[int, int]] | None:
        """ "maintain their stance that …" (the that-clause), "accused Okafor of inventing …",
        "blamed X for Y" (the object with its of/for/as phrase); an empty object ("said
        goodbye") or a pronoun is no content."""
        children = clause.children
        if "np" not in clause.entry.frames or not any(c.dep_ == "dobj" for c in children):
            return None
        obj = next(c for c in children if c.dep_ == "dobj")
        that_clause = next(
            (
                c
                for c in obj.children
                if c.dep_ in ("acl", "ccomp") and any(g.lower_ == "that" and g.dep_ == "mark" for g in c.children)
            ),
            None,
        )
        if that_clause is not None:
            return _char_pieces(self.doc, [_subtree_range(that_clause)])
        if obj.lower_ in _EMPTY_OBJECTS or obj.pos_ == "PRON":
            return []
        lo, hi = _subtree_range(obj)
        for c in children:
            if c.dep_ == "prep" and c.i == hi and c.lower_ in ("of", "for", "as"):
                hi = c.right_edge.i + 1
        return _char_pieces(self.doc, [(lo, hi)])

    def _long_lead_content(
        self, verb: Token, entry: lexicon.CueEntry, source_tok: Token | None, sent: Span
    ) -> list[tuple[int, int]]:
        """ "Three people were killed when … on Saturday, regional governor Y said.": a long
        clause before the source and the verb, which the parser failed to attach as the
        verb's complement, is the content. It must be a clause (a finite verb that is not in
        an adverbial clause: "After the vote, Vasquez said goodbye" is no claim), and nothing
        but adjuncts may follow the verb."""
        doc = self.doc
        if "clause" not in entry.frames or source_tok is None or source_tok.i > verb.i or verb.dep_ != "ROOT":
            return []
        comma = source_tok.left_edge.i - 1
        if comma - sent.start < 4 or doc[comma].text != ",":
            return []
        if any(c.dep_ in ("dobj", "ccomp", "xcomp", "attr", "oprd") for c in verb.children if c.i > verb.i):
            return []
        lead = doc[sent.start : comma]
        if any(t.dep_ == "advcl" and t.head.i == verb.i for t in lead):
            return []
        if not any(
            t.tag_ in ("VBD", "VBZ", "VBP", "MD") or (t.tag_ == "VBN" and t.dep_ in ("acl", "relcl", "ccomp"))
            for t in lead
        ):
            return []
        return _char_pieces(doc, [(sent.start, comma)])

    def _nested_sources(
        self, source: Span | None, source_tok: Token | None, verb: Token, pieces: list, sent: Span
    ) -> Span | None:
        """ "The agency, citing national health ministries, said …" and "Interfax, with
        reference to adviser Ivan Petrov, reported …": the cited source makes a claim of the
        same content nested in the outer one (kept in ``self.nested``); the outer source's
        mention ends before the citation."""
        doc = self.doc
        if source is None or source_tok is None:
            return source
        for cue_lo, cue_hi, cited, lemma in _citations(source_tok, verb):
            span = self.np_span(cited)
            self.nested.append(_Found(cue_lo, cue_hi, lemma, list(pieces), span, None, lexicon.SPEECH, False, sent))
            if source.start < cue_lo <= source.end:
                end = cue_lo
                while end > source.start + 1 and (doc[end - 1].is_punct or doc[end - 1].is_space):
                    end -= 1
                source = doc[source.start : end]
        return source

    def open_class_claim(self, verb: Token) -> _Found | None:
        """A verb outside the lexicon that still takes a that-clause from an animate subject
        ("Democrats fret that …", "he bragged that …"): attribution in PolNeAR's broad sense."""
        clause = next(
            (
                c
                for c in verb.children
                if c.dep_ == "ccomp"
                and c.i > verb.i
                and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)
            ),
            None,
        )
        if clause is None:
            # "have expressed concern that …": the verb and its object noun are the cue
            obj = next((c for c in verb.children if c.dep_ == "dobj" and c.pos_ == "NOUN"), None)
            that = obj and next(
                (
                    c
                    for c in obj.children
                    if c.dep_ in ("acl", "ccomp")
                    and c.i > obj.i
                    and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)
                ),
                None,
            )
            subj, _ = self.subject_of(verb)
            if obj is None or not that or subj is None or not is_animate(subj):
                return None
            lo, _ = _cue_extent(verb)
            pieces = _char_pieces(self.doc, [_subtree_range(that)])
            if not pieces:
                return None
            return _Found(
                lo,
                obj.i + 1,
                verb.lemma_.lower() + " " + obj.lemma_.lower(),
                pieces,
                self._source_span(subj, verb),
                None,
                lexicon.OPEN,
                False,
                self.index.sent_of(verb.i),
            )
        return self.verb_claim(verb, lexicon.CueEntry(verb.lemma_.lower(), lexicon.OPEN, frozenset({"clause"})))

    def attitude_object_claim(self, verb: Token) -> _Found | None:
        """'have expressed misgivings about Mrs. Clinton', 'is raising questions about his mic',
        'made the case for Clinton': a verb and an attitude noun are the cue, the object of the
        noun's preposition is the content."""
        obj = next(
            (
                c
                for c in verb.children
                if c.dep_ == "dobj" and c.i > verb.i and c.lemma_.lower() in lexicon.ATTITUDE_OBJECTS
            ),
            None,
        )
        if obj is None or obj.i + 1 >= len(self.doc):
            return None
        prep = self.doc[obj.i + 1]
        if prep.dep_ != "prep" or prep.head not in (obj, verb) or prep.lower_ not in lexicon.ATTITUDE_PREPS:
            return None
        content = next((g for g in prep.children if g.dep_ in ("pobj", "pcomp")), None)
        subj, rel_head = self.subject_of(verb)
        if content is None or subj is None or not is_animate(subj) or subj.lower_ in _IMPERSONAL:
            return None
        pieces = _char_pieces(self.doc, [_subtree_range(content)])
        if not pieces or self.quote_around(verb.idx, verb.idx + 1) is not None:
            return None
        return _Found(
            _cue_extent(verb)[0],
            prep.i + 1,
            verb.lemma_.lower() + " " + obj.lemma_.lower(),
            pieces,
            self._source_span(subj, verb),
            rel_head,
            lexicon.STANCE,
            False,
            self.index.sent_of(verb.i),
        )

    def _source_span(self, source_tok: Token | None, cue: Token) -> Span | None:
        if source_tok is None:
            return None
        if source_tok.i < cue.i:
            # "Blinken and German Foreign Minister Annalena Baerbock condemned": the parser may
            # make both names subjects of the verb; the source spans them (one claim each later)
            last = (
                max(
                    (
                        c
                        for c in source_tok.head.children
                        if c.dep_ == "nsubj"
                        and source_tok.i < c.i < cue.i
                        and any(t.dep_ == "cc" for t in cue.doc[source_tok.i + 1 : c.left_edge.i])
                    ),
                    key=lambda c: c.i,
                    default=None,
                )
                if source_tok.head.i == cue.i
                else None
            )
            if last is not None:
                return self.doc[self.np_span(source_tok).start : self.np_span(last, limit_right=cue.i).end]
            return self.np_span(source_tok, limit_right=cue.i)
        return self.np_span(source_tok, limit_left=cue.i + 1)

    def _quote_content(self, verb: Token, source_tok: Token | None) -> list[tuple[int, int]]:
        """Content from a direct quote adjacent to the cue clause, or after a colon."""
        doc = self.doc
        left_tok = min([verb] + ([source_tok.left_edge] if source_tok is not None else []), key=lambda t: t.i)
        q = self.quote_ending_before(left_tok.idx)
        if q is None:
            right = verb.right_edge if verb.right_edge.i < verb.i + 6 else verb
            right_char = right.idx + len(right)
            if right.is_punct and right.text in '“"‘':
                right_char = right.idx
            q = self.quote_starting_after(right_char) or self.quote_starting_after(verb.idx + len(verb))
        if q is not None:
            return [self.inner(q)]
        nxt = doc[verb.i + 1] if verb.i + 1 < len(doc) else None
        if nxt is not None and nxt.text == ":":
            sent = self.index.sent_of(verb.i)
            end = (
                sent.end
                if sent.end > nxt.i + 2
                else (self.index.sent_of(sent.end).end if sent.end < len(doc) else sent.end)
            )
            span = _trim(doc, nxt.i + 1, end)
            return [span] if span else []
        return []

    def adjective_claim(self, adj: Token) -> _Found | None:
        """'We are convinced (that) …', 'she was sure …', 'has been critical of Trump',
        'were willing to go forward': a belief or resolve held by an animate subject."""
        copula = adj.head
        if copula.lemma_.lower() not in _COPULAS:
            return None
        subj, rel_head = self.subject_of(copula)
        if subj is None or not is_animate(subj) or subj.lower_ in _IMPERSONAL:
            return None
        cue_hi = adj.i + 1
        content = next((c for c in adj.children if c.dep_ in ("ccomp", "xcomp") and c.i > adj.i), None) or next(
            (c for c in copula.children if c.dep_ == "ccomp" and c.i > adj.i), None
        )
        if content is None:
            prep = next(
                (
                    c
                    for c in adj.children
                    if c.dep_ == "prep" and c.i == adj.i + 1 and c.lower_ in lexicon.BELIEF_ADJECTIVE_PREPS
                ),
                None,
            )
            content = prep and next((g for g in prep.children if g.dep_ in ("pobj", "pcomp")), None)
            if prep is None or content is None:
                return None
            cue_hi = prep.i + 1
        pieces = _char_pieces(self.doc, [_subtree_range(content)])
        if not pieces or self.quote_around(adj.idx, adj.idx + 1) is not None:
            return None
        cue_lo, _ = _cue_extent(copula)
        return _Found(
            cue_lo,
            cue_hi,
            adj.lower_,
            pieces,
            self._source_span(subj, copula),
            rel_head,
            lexicon.BELIEF,
            False,
            self.index.sent_of(adj.i),
        )

    def according_claim(self, tok: Token) -> _Found | None:
        doc = self.doc
        to = next((c for c in tok.children if c.lower_ == "to"), None)
        if to is None and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            to = doc[tok.i + 1]
        if to is None:
            return None
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        if pobj is None:
            return None
        sent = self.index.sent_of(tok.i)
        # the host clause: the nearest clause-level ancestor, else the sentence
        host = tok.head
        while host.dep_ not in ("ROOT", "ccomp", "conj", "advcl", "relcl", "parataxis") and host.head is not host:
            host = host.head
        source_hi = pobj.right_edge.i + 1
        if not any(c.dep_ in _SUBJ for c in host.children):
            # "According to X, an adviser, the Armed Forces … are": the parser made the
            # clause subject a conjunct of the source; the source ends before it
            conj = [c for c in pobj.children if c.dep_ == "conj" and c.i > pobj.i]
            if conj:
                source_hi = conj[0].left_edge.i
        phrase = (min(tok.left_edge.i, to.i), source_hi)
        lo, hi = _subtree_range(host)
        if not (lo <= tok.i < hi) or hi - lo < 3:
            lo, hi = sent.start, sent.end
        pieces = _char_pieces(doc, _ranges_minus(lo, hi, [phrase]))
        if not pieces:
            return None
        source = self.np_span(pobj, limit_right=source_hi)
        return _Found(tok.i, to.i + 1, lexicon.ACCORDING_TO, pieces, source, None, lexicon.SPEECH, False, sent)

    def noun_claim(self, noun: Token, cls: str) -> _Found | None:
        """'X's claim that …', 'the statement by X that …', and with a possessor as source also
        'Obama's decision to jump-start …', 'North Korea's claims about the test'."""
        doc = self.doc
        cue_hi = noun.i + 1
        clause = next(
            (
                c
                for c in noun.children
                if c.dep_ in ("acl", "ccomp", "appos")
                and any(g.lower_ == "that" and g.dep_ == "mark" for g in c.children)
            ),
            None,
        )
        source_tok = next((c for c in noun.children if c.dep_ == "poss"), None)
        if clause is None and source_tok is not None and source_tok.lower_ not in _IMPERSONAL | {"its"}:
            clause = next(
                (
                    c
                    for c in noun.children
                    if c.dep_ == "acl"
                    and c.i > noun.i
                    and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children)
                ),
                None,
            )
            prep = doc[noun.i + 1] if noun.i + 1 < len(doc) else None
            if (
                clause is None
                and prep is not None
                and prep.head is noun
                and prep.dep_ == "prep"
                and prep.lower_ in lexicon.NOUN_CUE_PREPS
            ):
                clause = next((g for g in prep.children if g.dep_ in ("pobj", "pcomp")), None)
                cue_hi = prep.i + 1
        if clause is None:
            return None
        if source_tok is None:
            for c in noun.children:
                if c.dep_ == "prep" and c.lower_ in ("by", "from") and c.i < clause.i:
                    source_tok = next((g for g in c.children if g.dep_ == "pobj"), None)
        if source_tok is None:
            return None
        pieces = _char_pieces(doc, [_subtree_range(clause)])
        if not pieces:
            return None
        source = doc[source_tok.left_edge.i : source_tok.i + 1]
        return _Found(noun.i, cue_hi, noun.lemma_.lower(), pieces, source, None, cls, False, self.index.sent_of(noun.i))

    def hedge_claim(self, adv: Token) -> _Found | None:
        """'Troops reportedly entered …' with no reporting verb: an unsourced, hedged claim."""
        head = adv.head
        if head.pos_ not in ("VERB", "AUX") or lexicon.verb_entry(head.lemma_) is not None:
            return None
        lo, hi = _subtree_range(head)
        pieces = _char_pieces(self.doc, _ranges_minus(lo, hi, [(adv.i, adv.i + 1)]))
        if not pieces:
            return None
        return _Found(adv.i, adv.i + 1, adv.lower_, pieces, None, None, None, True, self.index.sent_of(adv.i))


def _is_trailing_adverb(tok: Token) -> bool:
    """'said then', 'added later', 'complain bitterly': an adverb right after the verb, no clause."""
    return (
        tok.dep_ == "advmod"
        and tok.n_lefts + tok.n_rights == 0
        and (tok.lower_ in _TRAILING_ADVERBS or (tok.lower_.endswith("ly") and tok.lower_ not in lexicon.HEDGE_ADVERBS))
    )


def _cue_left(verb: Token) -> int:
    """First token of a verb's cue: its adjacent auxiliaries, negation, adverbs and "to"."""
    lo = verb.i
    lefts = {c.i: c for c in verb.lefts}
    while (
        lo - 1 in lefts
        and lefts[lo - 1].dep_ in _CUE_LEFT_DEPS
        and lefts[lo - 1].tag_ != "WRB"
        and lefts[lo - 1].lower_ not in lexicon.HEDGE_ADVERBS
    ):
        adv = lefts[lo - 1]
        lo = adv.left_edge.i if adv.left_edge.i >= adv.i - 2 else adv.i  # "almost universally said"
    return lo


def _cue_extent(verb: Token) -> tuple[int, int]:
    """The cue as PolNeAR marks it: the verb with its adjacent auxiliaries, negation and adverbs
    ("has said", "also said", "is demanding"), the "to" of an infinitive ("to fear"), particles and
    fixed prepositions ("called for", "spoke out about"), and the medium ("said in an interview").
    """
    lo, hi = _cue_left(verb), verb.i + 1
    head = verb.head
    if (
        verb.dep_ == "xcomp"
        and head.lemma_.lower() in lexicon.CATENATIVES
        and head.i < lo
        and all(t.dep_ in ("aux", "neg", "prt", "advmod") for t in verb.doc[head.i + 1 : lo])
    ):
        lo = _cue_left(head)  # "refused to disclose", "appeared to suggest", "went on to say"
    rights = {c.i: c for c in verb.rights}
    preps = lexicon.PREP_CUES.get(verb.lemma_.lower(), ())
    while hi in rights and (rights[hi].dep_ == "prt" or _is_trailing_adverb(rights[hi])):
        hi += 1
    gap = hi
    while gap in rights and rights[gap].dep_ in _CUE_GAP_DEPS and gap - hi < 3:
        gap += 1
    if gap in rights and rights[gap].dep_ == "prep" and rights[gap].lower_ in preps:
        hi = gap + 1
    elif hi in rights and rights[hi].dep_ == "prep" and rights[hi].lower_ == "in":
        pobj = next((c for c in rights[hi].children if c.dep_ == "pobj"), None)
        if pobj is not None and pobj.lemma_.lower() in _CUE_MEDIA:
            hi = pobj.i + 1
    return lo, hi


def _makes_no_claim(verb: Token, entry: lexicon.CueEntry) -> bool:
    """A reporting verb in a use that reports nothing: a refusal to speak, a request for
    something, a nested source's "citing", the settlement formula, a person dismissed."""
    return (
        _says_nothing(verb, entry)
        or _is_request(verb, entry)
        or _is_nested_source_verb(verb)
        or _neither_admits_nor_denies(verb)
        or _dismisses_a_person(verb, entry)
        or _no_comment(verb, entry)
        or _shown_by_a_person(verb, entry)
    )


def _no_comment(verb: Token, entry: lexicon.CueEntry) -> bool:
    """ "did not immediately comment on the report", "did not respond to a request for comment"."""
    return (
        entry.lemma in lexicon.NO_COMMENT_VERBS
        and any(c.dep_ == "neg" and verb.i - 3 <= c.i < verb.i for c in verb.children)
        and not any(c.dep_ == "ccomp" and _is_that_clause(c) for c in verb.children)
    )


def _shown_by_a_person(verb: Token, entry: lexicon.CueEntry) -> bool:
    """ "Kowalski showed no emotion": a person showing a thing is evidence of nothing (a clause
    stays: "He showed that the plan would fail")."""
    if entry.cls != lexicon.EVIDENCE or any(c.dep_ == "ccomp" for c in verb.children):
        return False
    subj, _ = _Extractor.subject_of(verb)
    return subj is not None and _is_person(subj)


def _dismisses_a_person(verb: Token, entry: lexicon.CueEntry) -> bool:
    """ "dismissed the army chief", "rejected the nominee": a person removed, not denied."""
    return entry.cls == lexicon.DENIAL and any(
        c.dep_ == "dobj" and (c.ent_type_ == "PERSON" or (c.pos_ == "NOUN" and c.lemma_.lower() in _DISMISSABLE))
        for c in verb.children
    )


def _neither_admits_nor_denies(verb: Token) -> bool:
    """ "did not admit or deny the findings", "neither admitted nor denied": the formula of a
    settlement, no claim either way."""
    pair = {"admit", "deny"}
    lemma = verb.lemma_.lower()
    if lemma not in pair:
        return False
    other = [
        t
        for t in list(verb.children) + [verb.head]
        if t.lemma_.lower() in pair - {lemma} and (t.dep_ == "conj" or verb.dep_ == "conj")
    ]
    return bool(other) and any(
        t.dep_ in ("neg", "preconj") and t.lower_ in ("not", "n't", "neither", "never")
        for v in [verb] + other
        for t in v.children
    )


def _is_person(tok: Token) -> bool:
    return tok.ent_type_ == "PERSON" or tok.lower_ in ("he", "she", "i")


def _joint_sources(source: Span) -> list[Span]:
    """ "Senator Ann Reed, a Republican, and Tom Fox, a Democrat": one mention per named person
    (the parser may hang the second name on the first one's apposition)."""
    subjects = [t for t in source if t.dep_ == "nsubj" and not (source.start <= t.head.i < source.end)]
    if len(subjects) > 1 and all(t.ent_type_ == "PERSON" for t in subjects):
        doc = source.doc
        bounds = [source.start] + [t.left_edge.i for t in subjects[1:]] + [source.end]
        return [_trim_conjunction(doc, lo, hi) for lo, hi in zip(bounds, bounds[1:], strict=False)]
    root = source.root
    if root.ent_type_ != "PERSON":
        return [source]
    heads = {root.i} | {c.i for c in root.children if c.dep_ == "appos"}
    conjs = [
        t for t in source if t.dep_ == "conj" and t.head.i in heads and t.ent_type_ == "PERSON" and t.pos_ == "PROPN"
    ]
    if not conjs:
        return [source]
    doc = source.doc
    bounds = [source.start] + [c.left_edge.i for c in conjs] + [source.end]
    return [_trim_conjunction(doc, lo, min(hi, source.end)) for lo, hi in zip(bounds, bounds[1:], strict=False)]


def _trim_conjunction(doc: Doc, lo: int, hi: int) -> Span:
    """doc[lo:hi] without the trailing "and" or comma before the next speaker."""
    while hi > lo + 1 and (doc[hi - 1].is_punct or doc[hi - 1].dep_ == "cc"):
        hi -= 1
    return doc[lo:hi]


def _is_that_clause(content: Token | None) -> bool:
    return (
        content is not None
        and content.dep_ == "ccomp"
        and content.left_edge.lower_ not in ("what", "whether", "if", "how", "why", "when", "where", "who", "which")
    )


def _says_nothing(verb: Token, entry: lexicon.CueEntry) -> bool:
    """ "declined to comment", "declined to say how many …": a refusal to speak, and the speech
    verb under it, are no claim."""
    if entry.lemma in lexicon.REFUSAL_VERBS:
        return any(c.dep_ == "xcomp" and _says_nothing_verb(c) for c in verb.children)
    return verb.dep_ == "xcomp" and verb.head.lemma_.lower() in lexicon.REFUSAL_VERBS and _says_nothing_verb(verb)


def _says_nothing_verb(verb: Token) -> bool:
    """A speech verb with no object and no that-clause ("to comment", "to say how many …");
    "refused to disclose the report" keeps its object as content."""
    return (
        verb.lemma_.lower() in lexicon.REFUSED_SPEECH_VERBS
        and not any(c.dep_ == "dobj" for c in verb.children)
        and not any(c.dep_ == "ccomp" and _is_that_clause(c) for c in verb.children)
    )


def _is_request(verb: Token, entry: lexicon.CueEntry) -> bool:
    """ "asked the board to present a plan", "asked for more time", "Asked whether …, she
    smiled": a request for something, or a question put to someone, not a proposition."""
    if entry.lemma not in lexicon.REQUEST_VERBS:
        return False
    children = list(verb.children)
    if any(c.dep_ == "dobj" for c in children) and any(
        c.dep_ == "xcomp" and c.lemma_.lower() in lexicon.REQUESTED_ACTS for c in children
    ):
        return True
    if any(c.dep_ == "prep" and c.lower_ == "for" for c in children):
        return True
    # a bare participle, the reporter's question, with no answer reported ("Asked whether …, she
    # smiled"; "Asked about X, Clinton said …" reports one)
    return (
        verb.tag_ == "VBN"
        and not any(c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass") for c in children)
        and verb.dep_ == "advcl"
        and lexicon.verb_entry(verb.head.lemma_, verb.head.text) is None
    )


def _citing_source(tok: Token) -> Token | None:
    """The cited source of "citing police sources" standing between a source and its reporting
    verb ("X, citing Y, said"); None for "…, citing a threat to public health" (a reason given,
    itself a claim)."""
    if tok.lemma_.lower() != "cite" or tok.tag_ != "VBG" or tok.dep_ not in ("advcl", "acl"):
        return None
    verb = tok.head if tok.dep_ == "advcl" else tok.head.head
    if tok.dep_ == "acl" and tok.head.dep_ not in _SUBJ:
        return None
    if verb.i < tok.i or lexicon.verb_entry(verb.lemma_, verb.text) is None:
        return None
    obj = next((c for c in tok.children if c.dep_ == "dobj"), None)
    return obj if obj is not None and is_animate(obj) else None


def _is_nested_source_verb(verb: Token) -> bool:
    """ "citing police sources" inside a source: a nested source (see _citations), not a claim."""
    return _citing_source(verb) is not None


def _citations(source_tok: Token, verb: Token) -> list[tuple[int, int, Token, str]]:
    """(cue start, cue end, cited source head, cue lemma) for "X, citing Y, said" and
    "X, with reference to Y, reported"."""
    out = []
    for tok in list(source_tok.children) + list(verb.children):
        if tok.i > verb.i:
            continue
        obj = _citing_source(tok)
        if obj is not None:
            out.append((tok.i, tok.i + 1, obj, "cite"))
        elif tok.dep_ == "prep" and tok.lower_ == "with":
            ref = next((c for c in tok.children if c.dep_ == "pobj" and c.lower_ == "reference"), None)
            to = next((c for c in ref.children if c.dep_ == "prep" and c.lower_ == "to"), None) if ref else None
            obj = next((c for c in to.children if c.dep_ == "pobj"), None) if to else None
            if obj is not None and to is not None:
                out.append((tok.i, to.i + 1, obj, lexicon.WITH_REFERENCE_TO))
    return out


def _stance(f: _Found) -> str:
    return "deny" if f.cls in lexicon.DENIAL_CLASSES else "assert"


def _fold_nested_attitudes(found: list[_Found]) -> list[_Found]:
    """Drop a belief, intention or stance reported inside another claim's content ("she said she
    thinks …", "the poll shows voters want …"), and anything inside a transcript turn: the outer
    claim already carries it, and PolNeAR marks only the outer attribution. Reported speech
    inside speech ("Officials said the mayor had claimed …") stays, as a nested claim."""
    envelopes = [(min(p[0] for p in f.content_pieces), max(p[1] for p in f.content_pieces), f) for f in found]
    kept = []
    for f in found:
        folded = (
            f.cls in _FOLDED_CLASSES
            or f.cue_lemma == _SPEAKER_LABEL_LEMMA
            or (
                f.cue_lemma in lexicon.TOPIC_VERBS
                and not f.sent.doc.text[slice(*f.content_pieces[0])].startswith("that")
            )
        )
        cue_char = f.cue_chars[0] if f.cue_chars else None
        if cue_char is None:
            cue_char = f.sent.doc[f.cue_start].idx
        if not any(
            o is not f and s <= cue_char < e and (folded or o.cue_lemma == _SPEAKER_LABEL_LEMMA)
            for s, e, o in envelopes
        ):
            kept.append(f)
    return kept


def extract_attributions(doc: Doc, published: dt.date | None = None) -> list[model.Claim]:
    """Every attribution in ``doc`` as a Claim (places/actors left empty; ids unset)."""
    index = DocIndex(doc)
    extractor = _Extractor(doc, index)
    text = extractor.text
    # text order, so coref sees earlier sources first
    found = _fold_nested_attitudes(sorted(extractor.run(), key=lambda f: f.cue_start))
    resolver = SourceResolver(doc, index)
    claims: list[model.Claim] = []
    seen: set = set()
    for f in found:
        pieces = sorted(f.content_pieces)
        dateline = _DATELINE.match(text, pieces[0][0], pieces[0][1])
        if dateline:  # the lead's content starts after its dateline
            pieces[0] = (dateline.end(), pieces[0][1])
        start, end = pieces[0][0], pieces[-1][1]
        cue_span = f.cue_chars or (doc[f.cue_start].idx, doc[f.cue_end - 1].idx + len(doc[f.cue_end - 1]))
        key = (cue_span, start, end)
        if key in seen:
            continue
        seen.add(key)
        # a content inside a direct quote is the whole quote (quotes run across sentence breaks)
        q = extractor.quote_around(start, end)
        if q is not None and not (q[0] <= cue_span[0] < q[1]):
            start, end = extractor.inner(q)
            pieces = [(start, end)]
        if q is not None and end <= cue_span[0]:
            # '"A," she said. "B."' or '"A," she said, "B."': the quote resumes after the cue
            clause_end = max(cue_span[1], f.source.end_char if f.source is not None else 0)
            nxt = extractor.quote_starting_after(clause_end) or extractor.quote_starting_after(f.sent.end_char)
            if nxt is not None:
                pieces = pieces + [extractor.inner(nxt)]
                end = pieces[-1][1]
        content_text = " … ".join(text[a:b] for a, b in pieces)
        sent = f.sent
        # a joint statement is one claim per speaker
        for mention in _joint_sources(f.source) if f.source is not None else [None]:
            if mention is not None:
                resolved = resolver.resolve(mention, f.source_head if mention is f.source else None)
                source = model.Source(
                    text=mention.text,
                    name=resolved.name,
                    role=resolved.role,
                    span=(mention.start_char, mention.end_char),
                    type=resolved.type,
                    resolved=resolved.resolved,
                )
            else:
                source = model.Source(text="", name=None, span=None, type="unknown")
            claims.append(
                model.Claim(
                    source=source,
                    cue=model.Cue(text=text[cue_span[0] : cue_span[1]], span=cue_span, lemma=f.cue_lemma),
                    content=model.Content(text=content_text, span=(start, end)),
                    date=claim_date(index.ents_in(sent.start, sent.end), published),
                    stance=_stance(f),
                    hedged=f.hedged,
                    sentence_span=(sent.start_char, sent.end_char),
                )
            )
    claims.sort(key=lambda c: (_span(c.cue)[0], _span(c.content)[0]))
    return claims


def _span(part: model.Cue | model.Content) -> tuple[int, int]:
    """The span of an extracted claim's cue or content (extraction always sets it)."""
    if part.span is None:
        raise ValueError(f"{part.text!r} has no span")
    return part.span


def link_nested(claims: list[model.Claim]) -> None:
    """Nested attribution: a claim whose cue lies inside another claim's content gets that claim
    (the innermost such) as ``parent_id``. Call after ids are assigned.

    Co-speakers of one statement share cue and content, hence the id: each after the first gets
    its own, derived from its source's position."""
    ids: set = set()
    for c in claims:
        if c.id and c.id in ids and c.source.span:
            c.id = model.stable_id(c.id, c.source.span[0])
        ids.add(c.id)
    for inner in claims:
        best = None
        for outer in claims:
            if outer is inner or not outer.id:
                continue
            s, e = _span(outer.content)
            inner_start, inner_end = _span(inner.content)
            inside = s <= _span(inner.cue)[0] < e and (inner_end - inner_start) < (e - s)
            if inside and (best is None or (e - s) < (_span(best.content)[1] - _span(best.content)[0])):
                best = outer
        if best is None and inner.cue.lemma in _CITATION_LEMMAS:
            # "X, citing Y, said …": Y's claim sits in X's, whose cue follows in the sentence
            best = next(
                (
                    o
                    for o in claims
                    if o is not inner
                    and o.id
                    and o.content.span == inner.content.span
                    and o.sentence_span == inner.sentence_span
                    and _span(o.cue)[0] > _span(inner.cue)[0]
                ),
                None,
            )
        if best is not None:
            inner.parent_id = best.id
