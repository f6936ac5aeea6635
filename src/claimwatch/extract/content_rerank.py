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


def trim_tokens(doc: Doc, a: int, b: int) -> tuple[int, int] | None:
    """Edge spaces and punctuation off, but a bracket the span opens stays closed: "the World
    Health Organization (WHO)" keeps its ")"."""
    while a < b and (doc[a].is_space or (doc[a].is_punct and b - a > 1)):
        a += 1
    while b > a and (doc[b - 1].is_space or (doc[b - 1].is_punct and b - a > 1)):
        b -= 1
    if a < b < len(doc) and doc[b].text in _BRACKETS:
        words = [t.text for t in doc[a:b]]
        if words.count(_BRACKETS[doc[b].text]) > words.count(doc[b].text):
            b += 1
    return (a, b) if a < b else None


def candidates(
    doc: Doc, rule: tuple[int, int], learned: Iterable[tuple], avoid: Iterable[int], keep: Iterable[int]
) -> list[tuple[int, int]]:
    """Token spans to score for the rules' content ``rule`` (always first): no variant holds a
    token of ``avoid`` (the claim's own cue) and every variant holds the tokens of ``keep``
    (cues of claims nested in the rules' content)."""
    a, b = rule
    near = [(s, e) for s, e, *_ in learned if s < b and a < e]
    starts = {a, *(s for s, _ in near)} | {i + 1 for i in range(a, b - 1) if doc[i].text in START_CUTS}
    ends = {b, *(e for _, e in near)} | {i for i in range(a + 1, b) if doc[i].text in END_CUTS}
    ends.add(doc[b - 1].sent.end)
    avoid, keep = set(avoid), set(keep)
    out, seen = [rule], {rule}
    for s in sorted(starts):
        for e in sorted(ends):
            span = trim_tokens(doc, s, e) if s < e else None
            if span is None or span in seen:
                continue
            if any(span[0] <= i < span[1] for i in avoid) or not all(span[0] <= i < span[1] for i in keep):
                continue
            seen.add(span)
            out.append(span)
            if len(out) == MAX_CANDIDATES:
                return out
    return out


def features(doc: Doc, cands: list[tuple[int, int]], logp: np.ndarray, learned: Iterable[tuple]) -> np.ndarray:
    """[len(cands), len(FEATURES)] of the candidates of one rule content (``cands[0]``);
    ``logp`` [n, 3]: the tagger's content log-probabilities of O, B, I per token."""
    n = len(doc)
    a, b = cands[0]
    learned = [(s, e) for s, e, *_ in learned]
    t_starts, t_ends = {s for s, _ in learned}, {e for _, e in learned}
    lo, lb, li = (np.maximum(logp[:, k], _LOG_FLOOR) for k in range(3))
    not_o = np.log(np.clip(1.0 - np.exp(lo), 1e-9, 1.0))
    not_i = np.log(np.clip(1.0 - np.exp(li), 1e-9, 1.0))
    sent_end = doc[b - 1].sent.end
    out = np.zeros((len(cands), len(FEATURES)), dtype=np.float32)
    for k, (s, e) in enumerate(cands):
        inside = li[s + 1 : e]
        dropped = [i for i in range(a, b) if not s <= i < e and not doc[i].is_punct]
        added = [i for i in range(s, e) if not a <= i < b and not doc[i].is_punct]
        out[k] = (
            s == a and e == b,
            s == a,
            e == b,
            s in t_starts,
            e in t_ends,
            lb[s],
            inside.mean() if len(inside) else 0.0,
            inside.min() if len(inside) else 0.0,
            not_i[e] if e < n else 0.0,
            lo[s - 1] if s > 0 else 0.0,
            doc[s].lower_ in COMPLEMENTIZERS,
            s > 0 and doc[s - 1].lower_ in COMPLEMENTIZERS,
            all(t.is_punct or t.is_space for t in doc[e:sent_end]),
            e < n and doc[e].text == ",",
            s > 0 and doc[s - 1].text in START_CUTS,
            np.log((e - s) / (b - a)),
            e < n and doc[e].text in QUOTES,
            not_o[dropped].mean() if dropped else 0.0,
            not_o[added].mean() if added else 0.0,
            s not in (a, *t_starts) and e not in (b, *t_ends),
        )
    return out


def choose(
    doc: Doc,
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
    cands = candidates(doc, rule, learned, avoid, keep)
    if len(cands) < 2:
        return rule
    scores = features(doc, cands, logp, learned) @ weights
    best = int(np.argmax(scores))
    return cands[best] if best and scores[best] - scores[0] >= margin else rule
