"""The learned attribution tagger: committed weights, their dev figure, and how its spans combine
with the rules' claims (texts here are written for the tests; PolNeAR is read from ../shared)."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from claimwatch.extract import content_rerank, learned
from claimwatch.extract.attribution import extract_attributions

REPO = Path(__file__).resolve().parents[3]
DEV = REPO.parent / "shared" / "benchmarks" / "polnear-dev"


def test_committed_weights_match_their_manifest_and_fit_the_budget():
    manifest = learned.load_manifest()
    assert learned.WEIGHTS.stat().st_size < 20 * 2**20
    assert hashlib.sha256(learned.WEIGHTS.read_bytes()).hexdigest() == manifest["weights_sha256"]
    assert manifest["default_mode"] in learned.MODES
    assert {"rules", "learned", "combined"} <= set(manifest["dev"])
    tagger = learned.Tagger.load()
    assert len(tagger.embeddings) == len(learned.CATEGORICAL)
    # the default mode never scored below the rules on dev, for any role or the relation
    default = manifest["dev"]["combined" if manifest["default_mode"] == "combined" else "rules"]
    assert all(default[k] >= v for k, v in manifest["dev"]["rules"].items())


def test_decode_reads_bio_tags_into_token_spans(nlp):
    doc = nlp("The mayor said the bridge would reopen soon.")
    tags = np.zeros((len(doc), 3), dtype=int)
    tags[0:2, 0] = [1, 2]  # source: The mayor
    tags[2, 1] = 1  # cue: said
    tags[3:8, 2] = [2, 2, 2, 2, 2]  # content opened by an I after O: still a span
    spans = learned.decode(tags, doc)
    assert spans == {"source": [(0, 2)], "cue": [(2, 3)], "content": [(3, 8)]}


def _claims_and_spans(nlp, text):
    doc = nlp(text)
    return doc, extract_attributions(doc), lambda s: doc.char_span(text.index(s), text.index(s) + len(s))


def test_combined_mode_adds_a_learned_cue_the_rules_miss_with_its_linked_source_and_content(nlp):
    text = "Critics are convinced the plan will fail. The minister said the budget is balanced."
    doc, claims, span = _claims_and_spans(nlp, text)
    rule_cues = {c.cue.text for c in claims}
    assert "convinced" not in rule_cues and "said" in rule_cues
    spans = {
        "source": [(span("Critics").start, span("Critics").end, 0.9)],
        "cue": [(span("are convinced").start, span("are convinced").end, 0.8)],
        "content": [(span("the plan will fail").start, span("the plan will fail").end, 0.7)],
    }
    assert learned.combine(doc, claims, spans, {"add_above": 0.9}) == claims  # not confident enough
    out = learned.combine(doc, claims, spans, {"add_above": 0.5})
    new = next(c for c in out if c.cue.text == "are convinced")
    assert new.source.text == "Critics" and new.content.text == "the plan will fail"
    assert any(c.cue.text == "said" for c in out)  # the rules' claim stays
    # without the switches the rules' claims pass through unchanged
    assert [c.cue.text for c in learned.combine(doc, claims, spans, {})] == [c.cue.text for c in claims]


def test_snap_widens_a_learned_content_to_its_clause_without_the_cue(nlp):
    doc = nlp("The minister said the budget is balanced.")
    assert learned._snap(doc, (5, 7), (2, 3)) == (3, 7)  # "is balanced" → "the budget is balanced"


def test_combined_mode_takes_learned_boundaries_and_drops_claims_the_tagger_does_not_see(nlp):
    text = "The minister said on Monday that the budget is balanced."
    doc, claims, span = _claims_and_spans(nlp, text)
    (rule,) = claims
    content = span("the budget is balanced")
    spans = {
        "source": [],
        "cue": [(span("said").start, span("said").end, 0.9)],
        "content": [(content.start, content.end, 0.9)],
    }
    assert learned.combine(doc, [rule], spans, {"content_boundaries": 0.95})[0].content.text != "the budget is balanced"
    (out,) = learned.combine(doc, [rule], spans, {"content_boundaries": 0.5})
    assert out.content.text == "the budget is balanced"
    unseen = {"source": [], "cue": [], "content": [], "in_span": np.zeros((len(doc), 3))}
    assert learned.combine(doc, extract_attributions(doc), unseen, {"drop_below": 0.1}) == []
    assert len(learned.combine(doc, extract_attributions(doc), unseen, {})) == 1


def test_an_unknown_mode_is_refused(monkeypatch):
    monkeypatch.setenv(learned.MODE_ENV, "neural")
    with pytest.raises(ValueError):
        learned.get_mode()


@pytest.mark.shared
@pytest.mark.slow
def test_committed_weights_reproduce_the_dev_figure_of_the_manifest(nlp):
    """The learned-only dev figure is a function of the weights, the spaCy model and the rules'
    claims the stacked tagger reads, so it must come out as recorded. When a change to the rules
    moves it, retrain (``make train-attribution``): the tagger learned what these rules miss."""
    if not DEV.is_dir():
        pytest.skip("../shared/benchmarks/polnear-dev absent: the dev figure needs PolNeAR dev")
    spec = importlib.util.spec_from_file_location("extract_polnear", REPO / "bench" / "extract_polnear.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("extract_polnear", bench)
    spec.loader.exec_module(bench)
    articles = bench.load_dev()
    learned_only = (
        learned.apply(doc, extract_attributions(doc), mode="learned") for doc in nlp.pipe(a[1] for a in articles)
    )
    preds = [bench._joint_sources_as_one([c.to_dict() for c in claims]) for claims in learned_only]
    result = bench.score(articles, preds)
    recorded = learned.load_manifest()["dev"]["learned"]
    for role in ("source", "cue", "content"):
        assert result["exact"][role]["f1"] == pytest.approx(recorded[role], abs=0.05), role
    assert result["relation"]["f1"] == pytest.approx(recorded["relation"], abs=0.05)


def test_rule_features_mark_the_rules_spans_and_the_lexicon_words(nlp):
    doc = nlp("The minister said the budget is balanced.")
    features = learned.rule_features(doc, extract_attributions(doc))
    assert features.shape == (len(doc), learned.RULE_INPUTS)
    b_source, i_source, b_cue, _i_cue, b_content, i_content, verb, _noun = features.T
    assert b_source.tolist() == [1, 0, 0, 0, 0, 0, 0, 0] and i_source[1] == 1
    assert b_cue[2] == 1 and verb[2] == 1 and verb[:2].sum() == 0
    assert b_content[3] == 1 and i_content[4:7].tolist() == [1, 1, 1] and i_content[7] == 0


def _tagger_that_copies_rule_cues(doc) -> learned.Tagger:
    """A stacked tagger whose only weight carries the rules' "cue begins here" input to its cue B
    score: what it tags as a cue is what it was told the rules found."""
    vocabs = {name: {0: 0} for name in ("lemma", "pos", "tag", "dep", "ent")}
    dense = learned.doc_features(doc, vocabs, [])[1].shape[1]
    dims = [4] * len(learned.CATEGORICAL)
    w_in = np.zeros((sum(dims) + dense, 1), np.float32)
    w_in[sum(dims) + dense - learned.RULE_INPUTS + 2, 0] = 1.0  # rule_features column 2: cue B
    w_out = np.zeros((1, 3 * len(learned.ROLES)), np.float32)
    w_out[0, 3 * 1 + 1] = 10.0  # role 1 (cue), class B
    b_out = np.zeros(3 * len(learned.ROLES), np.float32)
    b_out[0::3] = 1.0  # O wins where nothing pushes
    return learned.Tagger(
        embeddings=[np.zeros((1, 4), np.float32) for _ in learned.CATEGORICAL],
        w_in=w_in,
        b_in=np.zeros(1, np.float32),
        convs=[],
        w_out=w_out,
        b_out=b_out,
        vocabs=vocabs,
        rule_inputs=True,
    )


def test_a_stacked_tagger_reads_the_rules_claims(nlp):
    doc = nlp("The minister said the budget is balanced.")
    tagger = _tagger_that_copies_rule_cues(doc)
    with_rules = tagger.spans(doc, extract_attributions(doc))
    assert [(a, b) for a, b, _ in with_rules["cue"]] == [(2, 3)]
    assert tagger.spans(doc, [])["cue"] == []


def test_a_learned_span_keeps_the_bracket_it_opens(nlp):
    doc = nlp("A statement from the World Health Organization (WHO) said cases rose.")
    start = next(t.i for t in doc if t.text == "the")
    close = next(t.i for t in doc if t.text == ")")
    # a tagger span that stops before ")" is not cut to an unbalanced "(WHO"
    assert content_rerank.trim_tokens(content_rerank.TokenView(doc), start, close) == (start, close + 1)
    assert doc[start : close + 1].text == "the World Health Organization (WHO)"


def test_learned_content_boundaries_never_cut_out_a_nested_claim(nlp):
    text = "Officials stressed that the goal is to protect civilians from the army, which they claim shelled towns."
    doc, claims, span = _claims_and_spans(nlp, text)
    outer = next(c for c in claims if c.cue.text == "stressed")
    assert any(c.cue.text == "claim" for c in claims)
    shorter = span("the goal is to protect civilians from the army")
    spans = {"source": [], "cue": [], "content": [(shorter.start, shorter.end, 0.99)]}
    kept = learned.combine(doc, [outer, *[c for c in claims if c is not outer]], spans, {"content_boundaries": 0.5})
    assert "which they claim" in next(c for c in kept if c.cue.text == "stressed").content.text
