"""The spaCy pipeline, loaded once per process, plus rule-based NER corrections.

The corrections are generic rules over the document, never lists of names:
- label consistency: a token that the model labels PERSON somewhere in the document (alone or as
  the surname of a full name) is a PERSON wherever else it is labelled ORG/GPE/NORP/FAC;
- a one-word PERSON that never occurs as a person elsewhere and sits after a locative
  preposition ("in Donbass") or before a place noun ("the Donbass region") is a LOC.
"""

from __future__ import annotations

import importlib
import os
from functools import cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import get_model_meta, load_config, registry
from thinc.api import NumpyOps, get_current_ops, set_current_ops

from claimwatch.settings import DEFAULT_MODEL  # the one place the model name is written

FIX_COMPONENT = "claimwatch_ner_fixes"
PARAGRAPH_COMPONENT = "claimwatch_paragraphs"
SERIALIZED_TOKENIZER = "claimwatch.SerializedTokenizer.v1"

_LOCATIVE_PREPS = {"in", "across", "near", "throughout", "around", "within", "into", "outside"}
_PLACE_NOUNS = {
    "region",
    "city",
    "town",
    "village",
    "oblast",
    "province",
    "area",
    "district",
    "front",
    "direction",
    "river",
    "county",
    "state",
    "republic",
    "basin",
}
_RELABEL_TO_PERSON = {"ORG", "GPE", "NORP", "FAC", "PRODUCT", "WORK_OF_ART"}


def _looks_like_place(ent: Span) -> bool:
    if len(ent) != 1:
        return False
    before = ent.doc[ent.start - 1] if ent.start > 0 else None
    after = ent.doc[ent.end] if ent.end < len(ent.doc) else None
    if before is not None and before.lower_ in _LOCATIVE_PREPS:
        return True
    return after is not None and after.lower_ in _PLACE_NOUNS


def _name_evidence(doc: Doc) -> tuple[set[str], set[str]]:
    """(surnames of people, one-word names seen in a place context) over the whole document."""
    people, places, person_labelled = set(), set(), set()
    for ent in doc.ents:
        if len(ent) == 1 and _looks_like_place(ent):
            places.add(ent.text)
    for ent in doc.ents:
        if ent.label_ == "PERSON":
            last = ent[-1]
            person_labelled.add(ent.text)
            if (last.is_title or last.is_upper) and (len(ent) > 1 or ent.text not in places):
                people.add(last.text)
    # a one-word name the model also calls a person, seen in a place context: a mislabelled place
    return people, places & person_labelled


@Language.component(PARAGRAPH_COMPONENT)
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines and datelines carry no final full stop."""
    for tok in doc[:-1]:
        if tok.is_space and "\n" in tok.text:
            doc[tok.i + 1].is_sent_start = True
    return doc


@Language.component(FIX_COMPONENT)
def fix_entities(doc: Doc) -> Doc:
    people, places = _name_evidence(doc)
    new_ents = []
    changed = False
    for ent in doc.ents:
        label = ent.label_
        if len(ent) == 1 and label in _RELABEL_TO_PERSON and ent.text in people:
            label = "PERSON"
        elif len(ent) == 1 and label in ("PERSON", "ORG") and ent.text in places and ent.text not in people:
            label = "LOC"
        if label != ent.label_:
            changed = True
            new_ents.append(Span(doc, ent.start, ent.end, label=label))
        else:
            new_ents.append(ent)
    if changed:
        doc.ents = new_ents
    return doc


@registry.tokenizers(SERIALIZED_TOKENIZER)
def serialized_tokenizer():
    """An empty tokenizer that the model's serialized one fills in ``from_disk``.

    ``spacy.Tokenizer.v1`` first builds the language defaults (affix regexes, ~1,500 special
    cases) and ``from_disk`` then replaces them with the model's copy: 65 ms of every cold start
    spent on a tokenizer that is thrown away. The result is the same tokenizer.
    """

    def create(nlp: Language) -> Tokenizer:
        return Tokenizer(nlp.vocab)

    return create


def _package_model_dir(name: str) -> Path | None:
    """The data directory of an installed model package (``en_core_web_sm`` and the like)."""
    try:
        module_file = importlib.import_module(name).__file__
        if module_file is None:  # a namespace package: no model data
            return None
        root = Path(module_file).parent
        meta = get_model_meta(root)
        path = root / f"{meta['lang']}_{meta['name']}-{meta['version']}"
    except (ImportError, TypeError, OSError, KeyError):  # not an importable model package
        return None
    return path if (path / "config.cfg").exists() else None


def _use_numpy_matmul() -> None:
    """Matrix products through numpy's OpenBLAS instead of BLIS.

    On the 84 PolNeAR dev texts the tags, parses and entities are identical and ``nlp.pipe`` is
    16 % faster; it also lets the Lambda layer drop the 17 MiB ``blis.py`` extension (see
    layers/nlp/blis_py.py). A GPU or other backend the caller chose is left alone.
    """
    if type(get_current_ops()) is NumpyOps:
        set_current_ops(NumpyOps(use_blis=False))


def load_pipeline(name: str | None = None) -> Language:
    name = name or configured_model()
    _use_numpy_matmul()
    path = _package_model_dir(name)
    if path is None:  # a path or a name spaCy resolves itself
        nlp = spacy.load(name)
    else:
        config = load_config(path / "config.cfg", interpolate=False)["nlp"]
        overrides = {}
        if config["tokenizer"].get("@tokenizers") == "spacy.Tokenizer.v1":
            overrides = {"nlp": {"tokenizer": {"@tokenizers": SERIALIZED_TOKENIZER}}}
        # components the model ships disabled (en_core_web_sm's senter: the parser splits
        # sentences) are not built at all
        nlp = spacy.load(path, config=overrides, exclude=list(config.get("disabled") or ()))
    if "parser" in nlp.pipe_names and PARAGRAPH_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    if "ner" in nlp.pipe_names and FIX_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(FIX_COMPONENT, after="ner")
    return nlp


@cache
def _cached(name: str) -> Language:
    return load_pipeline(name)


def get_nlp() -> Language:
    """The process-wide pipeline (model from ``CLAIMWATCH_SPACY_MODEL``)."""
    return _cached(configured_model())


def configured_model() -> str:
    """``CLAIMWATCH_SPACY_MODEL`` (the extract function's ExtractSettings.spacy_model, checked at
    its init) or the default model."""
    return os.environ.get("CLAIMWATCH_SPACY_MODEL") or DEFAULT_MODEL
