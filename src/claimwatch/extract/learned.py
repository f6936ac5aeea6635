"""The learned attribution tagger and how its spans combine with the rules' claims.

A token tagger (B/I/O for each of source, cue and content, three independent heads: spans of
different roles nest) trained on PolNeAR train (``make train-attribution``, train/attribution/).
It is stacked on the rules: besides the model's own frozen ``tok2vec`` output (``doc.tensor``) and
the parse (lemma, POS, tag, dependency of the token, of its head and of its clause, entity type,
quote state) it reads what the rules said of each token (``rule_features``: inside a rule claim's
source, cue or content; a reporting verb or noun of their lexicon), so it learns where the rules
go wrong rather than attribution from scratch. A few dilated convolutions give it sentence-wide
context. Inference is numpy only: the weights ship as ``data/attribution_tagger.npz`` (manifest:
``attribution_manifest.json``) and run on what the pipeline already computed.

Who decides what (``combine``; the switches and thresholds are chosen on PolNeAR dev and recorded
in the manifest):
- the rules find the claims and carry coreference (resolved source names, roles), dates, stance
  and hedging;
- the tagger moves a rule claim's source or content boundary to its own overlapping span when
  it is confident of it, unless that would cut a nested rule claim out of the content;
- the tagger drops a rule claim whose cue it gives a very low probability;
- a confident learned cue that no rule claim has, and whose head word the rules' lexicon does
  not know, becomes a new claim when the tagger also found a confident content for it: the
  nearest learned content and source of its sentence are linked to it and the source mention is
  resolved by the same coreference as the rules'.

Mode (``CLAIMWATCH_ATTRIBUTION`` or ``set_mode``): ``rules``, ``learned`` (the tagger's spans
alone, linked by proximity; it still reads the rules' claims), ``combined``; the default is the
manifest's ``default_mode``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from spacy.attrs import (
    DEP,
    ENT_TYPE,
    HEAD,
    IS_PUNCT,
    IS_QUOTE,
    IS_SPACE,
    IS_TITLE,
    IS_UPPER,
    LEMMA,
    LIKE_NUM,
    ORTH,
    POS,
    SENT_START,
    TAG,
)
from spacy.strings import get_string_id
from spacy.tokens import Doc

from claimwatch import model
from claimwatch.extract import content_rerank, lexicon
from claimwatch.extract.content_rerank import trim_tokens
from claimwatch.extract.coref import SourceResolver
from claimwatch.extract.dates import claim_date
from claimwatch.extract.docindex import doc_text

DATA_DIR = Path(__file__).resolve().parent / "data"
WEIGHTS = DATA_DIR / "attribution_tagger.npz"
MANIFEST = DATA_DIR / "attribution_manifest.json"
ROLES = ("source", "cue", "content")
MODES = ("rules", "learned", "combined")
MODE_ENV = "CLAIMWATCH_ATTRIBUTION"
# categorical inputs: (column, vocabulary it indexes)
CATEGORICAL = (
    ("lemma", "lemma"),
    ("pos", "pos"),
    ("tag", "tag"),
    ("dep", "dep"),
    ("head_dep", "dep"),
    ("clause_dep", "dep"),
    ("ent", "ent"),
)
# dense inputs a stacked tagger reads from the rules (``rule_features``)
RULE_INPUTS = 8
_DOUBLE_QUOTE_IDS = np.array([get_string_id(q) for q in ('"', "“", "”", "``", "''")], dtype=np.uint64)

_mode_override: str | None = None


def set_mode(mode: str | None) -> None:
    """Force a mode for this process (None: back to the environment / manifest default)."""
    if mode is not None and mode not in MODES:
        raise ValueError(f"unknown attribution mode {mode!r}; one of {MODES}")
    global _mode_override
    _mode_override = mode


def get_mode() -> str:
    mode = _mode_override or os.environ.get(MODE_ENV)
    if mode:
        if mode not in MODES:
            raise ValueError(f"{MODE_ENV}={mode!r}: one of {MODES}")
        return mode
    return load_manifest().get("default_mode", "rules") if WEIGHTS.exists() else "rules"


@cache
def load_manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.exists() else {}


# ---- features -----------------------------------------------------------------------------------
def _clause_ancestor(heads: np.ndarray) -> np.ndarray:
    """For each token, its ancestor right below the sentence root (the root itself for the root)."""
    cur = np.arange(len(heads))
    for _ in range(64):
        parent = heads[cur]
        step = heads[parent] != parent  # the parent is not a root: climb
        if not step.any():
            break
        cur = np.where(step, parent, cur)
    return cur


def rule_features(doc: Doc, claims: list[model.Claim]) -> np.ndarray:
    """[n, RULE_INPUTS] what the rules said of each token: B and I of a rule claim's source, cue
    and content, and whether its lemma is a reporting verb or noun of the rules' lexicon. The
    tagger reads these so it learns where the rules are wrong, not attribution from scratch."""
    out = np.zeros((len(doc), RULE_INPUTS), dtype=np.float32)
    for claim in claims:
        for r, chars in enumerate((claim.source.span, claim.cue.span, claim.content.span)):
            span = _token_span(doc, chars)
            if span is not None:
                out[span[0], 2 * r] = 1.0
                out[span[0] + 1 : span[1], 2 * r + 1] = 1.0
    lemmas = doc.to_array([LEMMA]).view(np.uint64).reshape(-1)
    uniq, inv = np.unique(lemmas, return_inverse=True)
    known = np.array(
        [
            (lexicon.verb_entry(w) is not None, lexicon.noun_class(w) is not None)
            for w in (doc.vocab.strings[int(h)] for h in uniq)  # a token's lemma is always in the store
        ],
        dtype=np.float32,
    ).reshape(-1, 2)
    out[:, 6:8] = known[inv.reshape(-1)]
    return out


def doc_features(doc: Doc, vocabs: dict, claims: list[model.Claim] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(categorical ids [n, len(CATEGORICAL)], dense floats [n, 11 flags + tensor width, then
    ``rule_features`` when the rules' ``claims`` are given]) of a non-empty doc."""
    n = len(doc)
    arr = doc.to_array(
        [
            LEMMA,
            POS,
            TAG,
            DEP,
            HEAD,
            ENT_TYPE,
            IS_PUNCT,
            IS_QUOTE,
            IS_SPACE,
            IS_TITLE,
            IS_UPPER,
            LIKE_NUM,
            ORTH,
            SENT_START,
        ]
    )
    hashes, arr = arr.view(np.uint64), arr.view(np.int64)  # string ids unsigned, offsets signed
    lemma, pos, tag, dep, ent, orth = (hashes[:, k] for k in (0, 1, 2, 3, 5, 12))
    head_off = arr[:, 4]
    flags = arr[:, 6:12].astype(np.float32)
    idx = np.arange(n)
    heads = idx + head_off
    clause = _clause_ancestor(heads)
    is_root = heads == idx
    root = np.where(is_root, idx, heads[clause])
    head_dep = np.where(is_root, dep, dep[np.clip(heads, 0, n - 1)])
    clause_dep = np.where(is_root, dep, dep[clause])

    cols = {
        "lemma": lemma,
        "pos": pos,
        "tag": tag,
        "dep": dep,
        "head_dep": head_dep,
        "clause_dep": clause_dep,
        "ent": ent,
    }
    ids = np.zeros((n, len(CATEGORICAL)), dtype=np.int64)
    for k, (col, vocab) in enumerate(CATEGORICAL):
        uniq, inv = np.unique(cols[col], return_inverse=True)
        table = vocabs[vocab]
        ids[:, k] = np.array([table.get(int(v), 0) for v in uniq], dtype=np.int64)[inv.reshape(-1)]
    # quote state: after an odd number of double quote marks since the start of the paragraph
    newline = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(arr[:, 8]):
        newline[i] = "\n" in doc[int(i)].text
    dq = np.isin(orth, _DOUBLE_QUOTE_IDS).astype(np.int64)
    para = np.cumsum(newline)
    before = np.cumsum(dq) - dq
    firsts = np.r_[0, np.flatnonzero(np.diff(para)) + 1]
    in_quote = ((before - before[firsts][para - para[0]]) % 2 == 1).astype(np.float32)
    sent_start = (arr[:, 13] == 1).astype(np.float32)
    sent_start[0] = 1.0
    side = np.sign(idx - root).astype(np.float32)
    hdir = np.sign(head_off).astype(np.float32)
    dense = np.column_stack([flags, in_quote, sent_start, side, hdir, newline.astype(np.float32)])
    tensor = doc.tensor if doc.tensor is not None and len(doc.tensor) == n else np.zeros((n, 96), np.float32)
    parts = [dense, tensor.astype(np.float32)]
    if claims is not None:
        parts.append(rule_features(doc, claims))
    return ids, np.concatenate(parts, axis=1)


# ---- the network in numpy -----------------------------------------------------------------------
@dataclass
class Tagger:
    embeddings: list  # one table per CATEGORICAL column
    w_in: np.ndarray
    b_in: np.ndarray
    convs: list  # [(dilation, W [3H, H], b [H])]
    w_out: np.ndarray
    b_out: np.ndarray
    vocabs: dict
    rule_inputs: bool = False  # stacked on the rules: reads ``rule_features`` of their claims
    content_weights: np.ndarray | None = None  # the content ranker's (content_rerank.FEATURES)

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Tagger:
        with np.load(path, allow_pickle=False) as z:
            vocabs = {}
            for name in ("lemma", "pos", "tag", "dep", "ent"):
                strings = [str(s) for s in z[f"vocab_{name}"]]
                # index 0 is "unknown"; label strings map through spaCy's hash of the string
                vocabs[name] = {get_string_id(s): i + 1 for i, s in enumerate(strings)}
                vocabs[name][0] = 0
            dilations = [int(d) for d in z["dilations"]]
            return cls(
                embeddings=[z[f"emb_{col}"].astype(np.float32) for col, _ in CATEGORICAL],
                w_in=z["w_in"].astype(np.float32),
                b_in=z["b_in"].astype(np.float32),
                convs=[
                    (d, z[f"conv{k}_w"].astype(np.float32), z[f"conv{k}_b"].astype(np.float32))
                    for k, d in enumerate(dilations)
                ],
                w_out=z["w_out"].astype(np.float32),
                b_out=z["b_out"].astype(np.float32),
                vocabs=vocabs,
                rule_inputs="rule_inputs" in z.files and bool(z["rule_inputs"]),
                content_weights=z["rerank_w"].astype(np.float32) if "rerank_w" in z.files else None,
            )

    def logits(self, ids: np.ndarray, dense: np.ndarray) -> np.ndarray:
        """[n, roles, 3] scores (O, B, I) per token."""
        n = len(ids)
        x = np.concatenate([emb[ids[:, k]] for k, emb in enumerate(self.embeddings)] + [dense], axis=1)
        h = np.maximum(x @ self.w_in + self.b_in, 0.0)
        for d, w, b in self.convs:
            pad = np.zeros((d, h.shape[1]), np.float32)
            padded = np.concatenate([pad, h, pad])
            window = np.concatenate([padded[:n], h, padded[2 * d : 2 * d + n]], axis=1)
            h = h + np.maximum(window @ w + b, 0.0)
        return (h @ self.w_out + self.b_out).reshape(n, len(ROLES), 3)

    def spans(self, doc: Doc, claims: list[model.Claim] | None = None) -> dict:
        """``spans_from_probs`` of the tagger's probabilities, plus "logp": log-probabilities of O,
        B, I [n, roles, 3] and "content_weights": the content ranker's weights (None without). A
        stacked tagger reads the rules' ``claims``."""
        rules = (claims or []) if self.rule_inputs else None
        logits = self.logits(*doc_features(doc, self.vocabs, rules))
        exp = np.exp(logits - logits.max(axis=2, keepdims=True))
        probs = exp / exp.sum(axis=2, keepdims=True)
        out = spans_from_probs(probs, doc)
        out["logp"] = np.log(np.maximum(probs, 1e-12))
        out["content_weights"] = self.content_weights
        return out


def spans_from_probs(probs: np.ndarray, doc: Doc) -> dict:
    """role -> [(start token, end token, confidence)] from the B/I/O argmax of ``probs`` [n, roles,
    3] (an I after O opens a span; confidence: the mean probability of not-O over its tokens),
    "in_span": that probability per token and role [n, roles], and "view": the doc's
    ``TokenView``, for the content ranker."""
    view = content_rerank.TokenView(doc)
    in_span = 1.0 - probs[:, :, 0]
    out: dict = {
        role: [(a, b, float(in_span[a:b, r].mean())) for a, b in found]
        for r, (role, found) in enumerate(decode(probs.argmax(axis=2), doc, view).items())
    }
    out["in_span"] = in_span
    out["view"] = view
    return out


def decode(tags: np.ndarray, doc: Doc, view: content_rerank.TokenView | None = None) -> dict:
    """role -> [(start token, end token)] from B/I/O tags [n, roles], edge spaces and
    punctuation trimmed (``view``: the doc's TokenView, when the caller has one)."""
    view = view or content_rerank.TokenView(doc)
    out = {}
    for r, role in enumerate(ROLES):
        spans, start = [], None
        for i, t in enumerate(tags[:, r]):
            if t == 1 or (t == 2 and start is None):
                if start is not None:
                    spans.append((start, i))
                start = i
            elif t == 0 and start is not None:
                spans.append((start, i))
                start = None
        if start is not None:
            spans.append((start, len(tags)))
        out[role] = [s for s in (trim_tokens(view, a, b) for a, b in spans) if s]
    return out


@cache
def get_tagger() -> Tagger:
    return Tagger.load()


# ---- combination with the rules -----------------------------------------------------------------
def _chars(doc: Doc, span: tuple[int, int]) -> tuple[int, int]:
    return doc[span[0]].idx, doc[span[1] - 1].idx + len(doc[span[1] - 1])


def _overlaps(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _gap(a, b) -> int:
    return max(0, a[0] - b[1], b[0] - a[1])


def _sentence_bounds(doc: Doc) -> np.ndarray:
    """sentence number per token."""
    starts = (doc.to_array([SENT_START]).view(np.int64) == 1).astype(np.int64)
    starts[0] = 1
    return np.cumsum(starts)


def _link(cue: tuple, spans: dict, sent_no: np.ndarray) -> tuple:
    """(source, content) token spans for a cue: the nearest of its sentence (content may also sit
    in the sentence before or after), neither containing the cue."""
    s = sent_no[cue[0]]

    def near(role, reach):
        cands = [
            sp
            for sp in spans[role]
            if not _overlaps(sp, cue) and min(abs(sent_no[sp[0]] - s), abs(sent_no[sp[1] - 1] - s)) <= reach
        ]
        return min(cands, key=lambda sp: _gap(sp, cue), default=None)

    content = near("content", 1)
    source = near("source", 0)
    if source is not None and content is not None and _overlaps(source, content):
        source = None
    return source, content


class _LazyResolver:
    """The rules' coreference (``SourceResolver``), built only when a learned source needs it."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self._resolver: SourceResolver | None = None  # built on the first source asked for

    def source(self, span: tuple) -> model.Source:
        if self._resolver is None:
            self._resolver = SourceResolver(self.doc)
        mention = self.doc[span[0] : span[1]]
        resolved = self._resolver.resolve(mention, None)
        return model.Source(
            text=mention.text,
            name=resolved.name,
            role=resolved.role,
            span=(mention.start_char, mention.end_char),
            type=resolved.type,
        )


def _new_claim(doc: Doc, text: str, cue, source, content, resolver: _LazyResolver, published) -> model.Claim:
    cue_c, content_c = _chars(doc, cue), _chars(doc, content)
    src = resolver.source(source) if source is not None else model.Source(text="", name=None, span=None, type="unknown")
    sent = doc[cue[0]].sent
    ents = [e for e in doc.ents if sent.start <= e.start and e.end <= sent.end]
    return model.Claim(
        source=src,
        cue=model.Cue(text=text[cue_c[0] : cue_c[1]], span=cue_c, lemma=doc[cue[0] : cue[1]].root.lemma_),
        content=model.Content(text=text[content_c[0] : content_c[1]], span=content_c),
        date=claim_date(ents, published),
        sentence_span=(sent.start_char, sent.end_char),
    )


def _token_span(doc: Doc, chars) -> tuple[int, int] | None:
    if not chars:
        return None
    span = doc.char_span(chars[0], chars[1], alignment_mode="expand")
    return (span.start, span.end) if span is not None and len(span) else None


def _snap(doc: Doc, span: tuple, cue: tuple) -> tuple | None:
    """A learned content widened to the syntactic subtree of its root, cut at the cue."""
    root = doc[span[0] : span[1]].root
    lo, hi = root.left_edge.i, root.right_edge.i + 1
    if _overlaps((lo, hi), cue):
        lo, hi = (lo, cue[0]) if cue[0] > root.i else (cue[1], hi)
    return trim_tokens(content_rerank.TokenView(doc), lo, hi) if lo < hi else None


def _lexicon_cue(doc: Doc, span: tuple) -> bool:
    """Is the cue's head a word of the rules' lexicon? Then the rules saw it and found no claim
    ("said goodbye", "asked not to be named", "declined to comment")."""
    lemma = doc[span[0] : span[1]].root.lemma_.lower()
    return lexicon.verb_entry(lemma) is not None or lexicon.noun_class(lemma) is not None


def cue_spans(doc: Doc, claims: list[model.Claim]) -> list[tuple[model.Claim, tuple[int, int] | None]]:
    """Each claim with its cue's token span."""
    return [(c, _token_span(doc, c.cue.span)) for c in claims]


def content_limits(cues: list, claim: model.Claim, content: tuple) -> tuple[range, list[int]]:
    """What a new boundary of ``claim``'s content must respect: the tokens of its own cue stay
    out, and the first token of each other claim's cue inside the rules' ``content`` (a nested
    claim: "that their goal is …, which they claim …") stays in. ``cues``: ``cue_spans``."""
    own = next((cue for c, cue in cues if c is claim), None)
    nested = [cue[0] for c, cue in cues if c is not claim and cue and content[0] <= cue[0] < content[1]]
    return (range(*own) if own else range(0)), nested


class _ContentRanker:
    """``content_rerank.choose`` for the claims of one doc: with the ``content_rerank`` margin set
    and ranker weights shipped (``active``)."""

    def __init__(self, doc: Doc, spans: dict, switches: dict):
        self.weights, self.margin = spans.get("content_weights"), switches.get("content_rerank", NEVER)
        self.active = self.weights is not None and self.margin < NEVER and "logp" in spans
        self.doc, self.spans = doc, spans

    def choose(self, claim: model.Claim, content: tuple, cues: list) -> tuple:
        assert self.weights is not None  # only called when active
        view = self.spans.get("view") or content_rerank.TokenView(self.doc)
        avoid, keep = content_limits(cues, claim, content)
        return content_rerank.choose(
            view,
            content,
            self.spans["logp"][:, 2],
            self.spans["content"],
            self.weights,
            self.margin,
            avoid=avoid,
            keep=keep,
        )


_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})


def _has_finite_verb(doc: Doc, span: tuple) -> bool:
    return any(t.tag_ in _FINITE_TAGS for t in doc[span[0] : span[1]])


def _may_add(doc: Doc, cue: tuple, switches: dict) -> bool:
    """May a learned cue no rule claim has become a claim? Confident enough (``add_above``); a cue
    whose head word is in the rules' lexicon, which the rules saw, only with ``skip_lexicon_cues``
    off or at ``lexicon_add_above``; never a refusal to speak ("declined to comment")."""
    if cue[2] < switches.get("add_above", NEVER):
        return False
    known = switches.get("skip_lexicon_cues", False) and _lexicon_cue(doc, cue)
    if known and cue[2] < switches.get("lexicon_add_above", NEVER):
        return False
    root = doc[cue[0] : cue[1]].root
    return not {root.lemma_.lower(), root.head.lemma_.lower()} & lexicon.REFUSAL_VERBS


def _replace(claim_part, doc: Doc, text: str, span: tuple) -> None:
    a, b = _chars(doc, span)
    claim_part.span, claim_part.text = (a, b), text[a:b]


NEVER = 2.0  # a confidence threshold no span reaches
MIN_CONTENT_WORDS = 2


def combine(doc: Doc, claims: list[model.Claim], spans: dict, switches: dict, published=None) -> list[model.Claim]:
    """The rules' claims with learned boundaries, removals and additions. ``switches`` (all
    optional): ``drop_below`` drops a rule claim whose cue tokens all have a learned cue
    probability below it; ``cue_boundaries``/``source_boundaries``/``content_boundaries``
    replace a rule span by an overlapping learned span of at least that confidence;
    ``add_above`` adds a claim for a learned cue of at least that confidence that no rule claim
    has, when its linked content has at least ``add_content_above`` (with ``skip_lexicon_cues``:
    a cue whose head word is in the rules' lexicon needs ``lexicon_add_above``; see
    ``_may_add``); ``content_rerank`` lets the content ranker move a content boundary when its
    pick scores that margin above the rules' span; ``snap`` widens an added
    claim's content to its syntactic subtree."""
    text = doc_text(doc)
    in_span = spans.get("in_span")
    resolver = _LazyResolver(doc)
    ranker = _ContentRanker(doc, spans, switches)
    cues = cue_spans(doc, claims)
    out, covered = [], []
    for claim in claims:
        cue = _token_span(doc, claim.cue.span)
        if cue and in_span is not None and in_span[cue[0] : cue[1], 1].max() < switches.get("drop_below", 0.0):
            continue
        if cue:
            covered.append(cue)
        learned_cue = next((sp for sp in spans["cue"] if cue and _overlaps(sp, cue)), None)
        if learned_cue is not None:
            covered.append(learned_cue)
            if learned_cue[2] >= switches.get("cue_boundaries", NEVER):
                _replace(claim.cue, doc, text, learned_cue)
        src = _token_span(doc, claim.source.span)
        sp = next((s for s in spans["source"] if src and _overlaps(s, src)), None)
        if sp is not None and sp[2] >= switches.get("source_boundaries", NEVER):
            _replace(claim.source, doc, text, sp)
        content = _token_span(doc, claim.content.span)
        if content and ranker.active:
            best = ranker.choose(claim, content, cues)
            if best != content:
                _replace(claim.content, doc, text, best)
            out.append(claim)
            continue
        sp = next(
            (s for s in spans["content"] if content and _overlaps(s, content) and not (cue and _overlaps(s, cue))), None
        )
        # a learned extent never leaves a nested claim's cue out of the content
        if (
            sp is not None
            and content is not None
            and sp[2] >= switches.get("content_boundaries", NEVER)
            and all(sp[0] <= i < sp[1] for i in content_limits(cues, claim, content)[1])
        ):
            _replace(claim.content, doc, text, sp)
        out.append(claim)
    added = [sp for sp in spans["cue"] if not any(_overlaps(sp, c) for c in covered) and _may_add(doc, sp, switches)]
    if added:
        out.extend(
            _claims_for(
                doc,
                added,
                spans,
                switches.get("snap", False),
                published,
                switches.get("add_content_above", 0.0),
                resolver,
                lexicon_needs_clause=True,
            )
        )
        out.sort(key=lambda c: (c.cue.span[0] if c.cue.span else 0, c.content.span[0] if c.content.span else 0))
    return out


def _claims_for(
    doc: Doc,
    cues: list,
    spans: dict,
    snap: bool,
    published,
    min_content: float = 0.0,
    resolver: _LazyResolver | None = None,
    lexicon_needs_clause: bool = False,
) -> list[model.Claim]:
    """A claim for each learned cue that has a linked learned content (of at least
    ``min_content`` confidence); with ``lexicon_needs_clause``, a cue whose head word is in the
    rules' lexicon only with a content that holds a finite verb (a proposition)."""
    text, sent_no, out = doc_text(doc), _sentence_bounds(doc), []
    resolver = resolver or _LazyResolver(doc)
    for cue in cues:
        source, content = _link(cue, spans, sent_no)
        if content is not None and content[2] < min_content:
            continue
        if content is not None and snap:
            content = _snap(doc, content, cue)
        # a bare object ("said goodbye", "thanked everyone") is not a proposition
        if content is None or sum(not t.is_punct for t in doc[content[0] : content[1]]) < MIN_CONTENT_WORDS:
            continue
        # the rules saw that cue: what they left out for want of a clause ("asked the board to
        # present a plan", a request; issue 13) stays out
        if lexicon_needs_clause and _lexicon_cue(doc, cue) and not _has_finite_verb(doc, content):
            continue
        out.append(_new_claim(doc, text, cue, source, content, resolver, published))
    return out


def learned_claims(doc: Doc, spans: dict, published=None, snap: bool = False) -> list[model.Claim]:
    """The tagger alone: every learned cue with a linked content (learned-only scoring)."""
    return _claims_for(doc, spans["cue"], spans, snap, published)


def apply(doc: Doc, claims: list[model.Claim], published=None, mode: str | None = None) -> list[model.Claim]:
    """The pipeline's hook: the rules' ``claims`` of ``doc`` as the current mode wants them."""
    mode = mode or get_mode()
    if mode == "rules" or not len(doc):
        return claims
    spans = get_tagger().spans(doc, claims)
    switches = load_manifest().get("switches", {})
    if mode == "learned":
        return learned_claims(doc, spans, published, switches.get("snap", False))
    return combine(doc, claims, spans, switches, published)
