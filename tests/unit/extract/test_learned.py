"""The learned attribution tagger: committed weights, their dev figure, and how its spans combine
with the rules' claims (texts here are written for the tests; PolNeAR is read from ../shared)."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from claimwatch.extract import learned
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
    """The learned-only dev figure is a function of the weights and the spaCy model alone (the
    combined one also moves with the rules), so it must come out as recorded."""
    if not DEV.is_dir():
        pytest.skip("../shared/benchmarks/polnear-dev absent: the dev figure needs PolNeAR dev")
    spec = importlib.util.spec_from_file_location("extract_polnear", REPO / "bench" / "extract_polnear.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("extract_polnear", bench)
    spec.loader.exec_module(bench)
    articles = bench.load_dev()
    preds = [[c.to_dict() for c in learned.apply(doc, [], mode="learned")] for doc in nlp.pipe(a[1] for a in articles)]
    result = bench.score(articles, preds)
    recorded = learned.load_manifest()["dev"]["learned"]
    for role in ("source", "cue", "content"):
        assert result["exact"][role]["f1"] == pytest.approx(recorded[role], abs=0.05), role
    assert result["relation"]["f1"] == pytest.approx(recorded["relation"], abs=0.05)
