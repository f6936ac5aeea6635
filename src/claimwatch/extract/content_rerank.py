"""Where a rule claim's content starts and ends, re-scored by a small learned ranker.

The rules find contents that mostly overlap the annotated ones but often miss a boundary by a few
words (PolNeAR dev: 1,047 exact, 493 overlapping with another extent). For each rule content the
ranker scores a few variants: the rules' own span, the stacked tagger's overlapping content spans,
and their starts and ends mixed with the cuts at punctuation inside the span and the end of the
sentence. Each variant is described by ``FEATURES`` (the tagger's B/I/O log-probabilities at its
edges, which words it starts after and ends before, its length against the rules' span); the score
is a dot product with weights trained by ``train/attribution/rerank.py`` on PolNeAR train, with
tagger probabilities from taggers that never saw the article (two folds). A variant replaces the
rules' span only when it scores at least the manifest's margin above it, and never when it would
leave out the cue of a claim nested in the content or take in the claim's own cue.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from spacy.attrs import IS_PUNCT, IS_SPACE, LOWER, ORTH, SENT_START
from spacy.strings import get_string_id
from spacy.tokens import Doc

FEATURES = (
    "is_rule_span",
    "rule_start",
    "rule_end",
    "tagger_start",
    "tagger_end",
    "logp_begin",
    "mean_logp_inside",
    "min_logp_inside",
    "logp_not_inside_after",
    "logp_outside_before",
    "starts_with_complementizer",
    "after_complementizer",
    "ends_sentence",
    "ends_before_comma",
    "starts_after_punctuation",
    "log_length_ratio",
    "ends_before_quote",
    "logp_in_dropped",
    "logp_in_added",
    "cut_at_both_ends",
)
COMPLEMENTIZERS = frozenset({"that", "whether", "if", "to"})
END_CUTS = frozenset({",", ";", "—", "–", "--", ".", ":"})
START_CUTS = frozenset({",", ";", "—", "–", "--", ":", '"', "“", "‘", "``"})
QUOTES = frozenset({'"', "”", "’", "''", "“"})
MAX_CANDIDATES = 48
_BRACKETS = {")": "(", "]": "[", "}": "{"}
_LOG_FLOOR = -20.0


def _ids(strings) -> np.ndarray:
    return np.array([get_string_id(x) for x in strings], dtype=np.uint64)


_START_CUT_IDS, _END_CUT_IDS, _QUOTE_IDS = _ids(START_CUTS), _ids(END_CUTS), _ids(QUOTES)
_COMPLEMENTIZER_IDS, _COMMA_ID = _ids(COMPLEMENTIZERS), get_string_id(",")
_BRACKET_IDS = {get_string_id(c): get_string_id(o) for c, o in _BRACKETS.items()}


class TokenView:
    """What the ranker reads of a doc's tokens, taken once per doc as arrays (spaCy's per-token
    access was most of the ranker's cost)."""

    def __init__(self, doc: Doc):
        arr = doc.to_array([ORTH, LOWER, IS_PUNCT, IS_SPACE, SENT_START])
        orth, lower = arr[:, 0].view(np.uint64), arr[:, 1].view(np.uint64)
        self.n = n = len(doc)
        self.orth = orth
        self.punct, self.space = arr[:, 2] == 1, arr[:, 3] == 1
        self.skip = self.punct | self.space
        self.start_cut = np.isin(orth, _START_CUT_IDS)
        self.end_cut = np.isin(orth, _END_CUT_IDS)
        self.quote = np.isin(orth, _QUOTE_IDS)
        self.comma = orth == _COMMA_ID
        self.complementizer = np.isin(lower, _COMPLEMENTIZER_IDS)
        starts = arr[:, 4].view(np.int64) == 1
        starts[:1] = True
        bounds = np.r_[np.flatnonzero(starts), n]
        self.sent_end = bounds[np.cumsum(starts) if n else np.zeros(0, np.int64)]
        # rest_skip[i]: tokens i .. the end of i's sentence are all punctuation or space
        positions = np.where(self.skip, n, np.arange(n))
        next_word = np.minimum.accumulate(positions[::-1])[::-1] if n else positions
        self.rest_skip = np.r_[next_word >= self.sent_end, True]
        self.words = np.r_[0, np.cumsum(~self.punct)]  # non-punctuation tokens before each index


def trim_tokens(view: TokenView, a: int, b: int) -> tuple[int, int] | None:
    """Edge spaces and punctuation off, but a bracket the span opens stays closed: "the World
    Health Organization (WHO)" keeps its ")"."""
    while a < b and (view.space[a] or (view.punct[a] and b - a > 1)):
        a += 1
    while b > a and (view.space[b - 1] or (view.punct[b - 1] and b - a > 1)):
        b -= 1
    if a < b < view.n and int(view.orth[b]) in _BRACKET_IDS:
        close = view.orth[b]
        opened = np.count_nonzero(view.orth[a:b] == _BRACKET_IDS[int(close)])
        if opened > np.count_nonzero(view.orth[a:b] == close):
            b += 1
    return (a, b) if a < b else None


def candidates(
    view: TokenView, rule: tuple[int, int], learned: Iterable[tuple], avoid: Iterable[int], keep: Iterable[int]
) -> list[tuple[int, int]]:
    """Token spans to score for the rules' content ``rule`` (always first): no variant holds a
    token of ``avoid`` (the claim's own cue) and every variant holds the tokens of ``keep``
    (cues of claims nested in the rules' content)."""
    a, b = rule
    near = [(s, e) for s, e, *_ in learned if s < b and a < e]
    starts = {a, *(s for s, _ in near)} | {i + 1 for i in range(a, b - 1) if view.start_cut[i]}
    ends = {b, *(e for _, e in near)} | {i for i in range(a + 1, b) if view.end_cut[i]}
    ends.add(int(view.sent_end[b - 1]))
    avoid, keep = set(avoid), set(keep)
    out, seen = [rule], {rule}
    for s in sorted(starts):
        for e in sorted(ends):
            span = trim_tokens(view, s, e) if s < e else None
            if span is None or span in seen:
                continue
            if any(span[0] <= i < span[1] for i in avoid) or not all(span[0] <= i < span[1] for i in keep):
                continue
            seen.add(span)
            out.append(span)
            if len(out) == MAX_CANDIDATES:
                return out
    return out


def features(view: TokenView, cands: list[tuple[int, int]], logp: np.ndarray, learned: Iterable[tuple]) -> np.ndarray:
    """[len(cands), len(FEATURES)] of the candidates of one rule content (``cands[0]``);
    ``logp`` [n, 3]: the tagger's content log-probabilities of O, B, I per token."""
    n = view.n
    a, b = cands[0]
    learned = [(s, e) for s, e, *_ in learned]
    t_starts, t_ends = {s for s, _ in learned}, {e for _, e in learned}
    lo, lb, li = (np.maximum(logp[:, k], _LOG_FLOOR) for k in range(3))
    not_o = np.log(np.clip(1.0 - np.exp(lo), 1e-9, 1.0))
    not_i = np.log(np.clip(1.0 - np.exp(li), 1e-9, 1.0))
    # sums of not_o over the words (not punctuation) before each index
    word_not_o = np.r_[0.0, np.cumsum(np.where(view.punct, 0.0, not_o))]
    words = view.words

    def word_mean(parts: list[tuple[int, int]]) -> float:
        count = sum(int(words[y] - words[x]) for x, y in parts if x < y)
        total = sum(float(word_not_o[y] - word_not_o[x]) for x, y in parts if x < y)
        return total / count if count else 0.0

    sent_end = int(view.sent_end[b - 1])
    out = np.zeros((len(cands), len(FEATURES)), dtype=np.float32)
    for k, (s, e) in enumerate(cands):
        inside = li[s + 1 : e]
        out[k] = (
            s == a and e == b,
            s == a,
            e == b,
            s in t_starts,
            e in t_ends,
            lb[s],
            inside.sum() / len(inside) if len(inside) else 0.0,
            inside.min() if len(inside) else 0.0,
            not_i[e] if e < n else 0.0,
            lo[s - 1] if s > 0 else 0.0,
            view.complementizer[s],
            s > 0 and view.complementizer[s - 1],
            e >= sent_end or (view.rest_skip[e] and view.sent_end[e] == sent_end),
            e < n and view.comma[e],
            s > 0 and view.start_cut[s - 1],
            np.log((e - s) / (b - a)),
            e < n and view.quote[e],
            word_mean([(a, min(b, s)), (max(a, e), b)]),  # the rules' words the variant drops
            word_mean([(s, min(e, a)), (max(s, b), e)]),  # the words it adds
            s not in (a, *t_starts) and e not in (b, *t_ends),
        )
    return out


def choose(
    view: TokenView,
    rule: tuple[int, int],
    logp: np.ndarray,
    learned: list[tuple],
    weights: np.ndarray,
    margin: float,
    avoid: Iterable[int] = (),
    keep: Iterable[int] = (),
) -> tuple[int, int]:
    """The best-scoring variant of the rules' content, or the rules' own span when no variant
    beats it by ``margin``."""
    cands = candidates(view, rule, learned, avoid, keep)
    if len(cands) < 2:
        return rule
    scores = features(view, cands, logp, learned) @ weights
    best = int(np.argmax(scores))
    return cands[best] if best and scores[best] - scores[0] >= margin else rule
