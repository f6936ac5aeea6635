"""Convert PolNeAR train/dev for the attribution tagger (first step of ``make train-attribution``).

Each article is parsed once by the project's own pipeline (``get_nlp``: the same model, paragraph
breaks and NER fixes as at inference) and written to the gitignored ``corpus/`` folder as:
- ``<split>.spacy``: a DocBin, gold spans in ``doc.spans["polnear_<role>"]``;
- ``<split>.npz``: per token the tagger's inputs (``learned.doc_features``, with the rules' claims
  when the config stacks the tagger on them) and gold B/I/O tags;
- ``vocab.json``: the label and lemma vocabularies (from train only);
- ``data.json``: sha256 of every source file read, for the manifest.
Gold is the first annotator's file per article (the scoring convention of bench/extract_polnear.py).
"""

from __future__ import annotations

import configparser
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SHARED = ROOT.parent / "shared" / "benchmarks"
CORPUS = HERE / "corpus"
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]

from extract_polnear import ROLES, load_dev  # noqa: E402
from spacy.strings import get_string_id  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402

from claimwatch.extract import learned  # noqa: E402
from claimwatch.extract.attribution import extract_attributions  # noqa: E402
from claimwatch.extract.nlp import get_nlp  # noqa: E402


def gold_tags(doc, gold: dict) -> np.ndarray:
    """[n, roles] tags 0=O 1=B 2=I; of spans of one role that nest, the longest wins."""
    tags = np.zeros((len(doc), len(ROLES)), dtype=np.int8)
    for r, role in enumerate(ROLES):
        for start, end in sorted(gold[role], key=lambda s: s[0] - s[1]):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or not len(span) or tags[span.start : span.end, r].any():
                continue
            tags[span.start, r] = 1
            tags[span.start + 1 : span.end, r] = 2
    return tags


def file_hashes(split_dir: Path) -> dict:
    return {
        str(p.relative_to(split_dir.parent)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(split_dir.rglob("*"))
        if p.is_file()
    }


def build_vocab(docs, min_lemma_count: int) -> dict:
    lemmas = Counter(t.lemma_ for d in docs for t in d)
    labels = {
        name: sorted({getattr(t, attr) for d in docs for t in d} - {""})
        for name, attr in (("pos", "pos_"), ("tag", "tag_"), ("dep", "dep_"), ("ent", "ent_type_"))
    }
    labels["lemma"] = sorted(
        (w for w, c in lemmas.items() if c >= min_lemma_count and w), key=lambda w: (-lemmas[w], w)
    )
    return labels


def as_tables(vocab: dict) -> dict:
    """string lists → {string id: index} as ``learned.Tagger.load`` builds them (0 = unknown)."""
    tables = {}
    for name, strings in vocab.items():
        tables[name] = {get_string_id(s): i + 1 for i, s in enumerate(strings)}
        tables[name][0] = 0
    return tables


def main() -> int:
    cfg = configparser.ConfigParser()
    cfg.read(HERE / "config.cfg")
    if not SHARED.is_dir():
        print("../shared/benchmarks absent: PolNeAR is needed to train")
        return 1
    CORPUS.mkdir(exist_ok=True)
    nlp = get_nlp()
    # a stacked tagger reads the rules' claims (learned.rule_features): the rules were tuned on
    # dev only, so on train they err as they will on unseen news
    stacked = cfg["model"].getboolean("rule_inputs", fallback=False)
    vocab = None
    hashes = {}
    for split in ("train", "dev"):
        folder = SHARED / cfg["data"][split]
        hashes.update(file_hashes(folder))
        articles = load_dev(folder)
        t0 = time.perf_counter()
        docs = list(nlp.pipe((a[1] for a in articles), batch_size=16))
        print(f"{split}: parsed {len(docs)} articles in {time.perf_counter() - t0:.0f}s", flush=True)
        if vocab is None:
            vocab = build_vocab(docs, cfg["data"].getint("min_lemma_count"))
            (CORPUS / "vocab.json").write_text(json.dumps(vocab))
        tables = as_tables(vocab)
        ids, dense, tags, lengths = [], [], [], []
        bin_ = DocBin(store_user_data=False)
        for (_name, _text, gold, _rel), doc in zip(articles, docs, strict=True):
            i, d = learned.doc_features(doc, tables, extract_attributions(doc) if stacked else None)
            ids.append(i)
            dense.append(d.astype(np.float16))
            tags.append(gold_tags(doc, gold))
            lengths.append(len(doc))
            for role in ROLES:
                doc.spans[f"polnear_{role}"] = [
                    s
                    for s in (doc.char_span(a, b, alignment_mode="expand") for a, b in sorted(gold[role]))
                    if s is not None
                ]
            bin_.add(doc)
        bin_.to_disk(CORPUS / f"{split}.spacy")
        np.savez(
            CORPUS / f"{split}.npz",
            ids=np.concatenate(ids),
            dense=np.concatenate(dense),
            tags=np.concatenate(tags),
            lengths=np.array(lengths),
            names=np.array([a[0] for a in articles]),
        )
        print(f"{split}: {sum(lengths)} tokens → {CORPUS.relative_to(ROOT)}/{split}.npz, {split}.spacy", flush=True)
    digest = hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()
    (CORPUS / "data.json").write_text(json.dumps({"files": len(hashes), "sha256": digest}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
