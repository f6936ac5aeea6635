"""The content ranker: which variants of a rule content it weighs, and when one replaces it
(texts written for the tests)."""

from __future__ import annotations

import numpy as np

from claimwatch.extract import content_rerank, learned
from claimwatch.extract.attribution import extract_attributions

TEXT = (
    "The ministry said the convoy reached the city on Monday, a day later than planned, "
    "and that aid would be handed out from Tuesday."
)


def _rule(nlp):
    doc = nlp(TEXT)
    claim = next(c for c in extract_attributions(doc) if c.cue.text == "said")
    content = learned._token_span(doc, claim.content.span)
    cue = learned._token_span(doc, claim.cue.span)
    return doc, content, cue


def _tokens(doc, phrase):
    span = doc.char_span(TEXT.index(phrase), TEXT.index(phrase) + len(phrase))
    return span.start, span.end


def test_candidates_start_with_the_rules_span_and_cut_at_punctuation(nlp):
    doc, content, cue = _rule(nlp)
    cands = content_rerank.candidates(content_rerank.TokenView(doc), content, [], range(*cue), [])
    assert cands[0] == content
    assert _tokens(doc, "the convoy reached the city on Monday") in cands  # cut at the comma
    assert all(not (s <= cue[0] < e) for s, e in cands)  # never the claim's own cue
    assert len(cands) == len(set(cands)) <= content_rerank.MAX_CANDIDATES


def test_candidates_keep_a_nested_cue_inside(nlp):
    doc, content, _cue = _rule(nlp)
    handed = _tokens(doc, "handed")[0]
    assert all(
        s <= handed < e for s, e in content_rerank.candidates(content_rerank.TokenView(doc), content, [], (), [handed])
    )


def test_a_variant_replaces_the_rules_span_only_by_the_margin(nlp):
    doc, content, cue = _rule(nlp)
    logp = np.log(np.full((len(doc), 3), 1 / 3))
    short = _tokens(doc, "the convoy reached the city on Monday")
    weights = np.zeros(len(content_rerank.FEATURES), np.float32)
    # a ranker that likes spans ending before a comma, and dislikes nothing else
    weights[content_rerank.FEATURES.index("ends_before_comma")] = 1.0
    assert (
        content_rerank.choose(content_rerank.TokenView(doc), content, logp, [], weights, 0.5, avoid=range(*cue))
        == short
    )
    assert (
        content_rerank.choose(content_rerank.TokenView(doc), content, logp, [], weights, 1.5, avoid=range(*cue))
        == content
    )
    # without a preference the rules' own span stays
    assert (
        content_rerank.choose(content_rerank.TokenView(doc), content, logp, [], weights * 0, 0.0, avoid=range(*cue))
        == content
    )


def test_features_describe_each_candidate(nlp):
    doc, content, cue = _rule(nlp)
    cands = content_rerank.candidates(content_rerank.TokenView(doc), content, [], range(*cue), [])
    feats = content_rerank.features(content_rerank.TokenView(doc), cands, np.log(np.full((len(doc), 3), 1 / 3)), [])
    assert feats.shape == (len(cands), len(content_rerank.FEATURES))
    is_rule = feats[:, content_rerank.FEATURES.index("is_rule_span")]
    assert is_rule[0] == 1 and is_rule[1:].sum() == 0
    assert np.isfinite(feats).all()
