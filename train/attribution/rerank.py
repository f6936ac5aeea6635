"""Train the content ranker (``claimwatch.extract.content_rerank``) on PolNeAR train; called by
``train.py`` between training the tagger and choosing the combination switches on dev.

The ranker's inputs include the stacked tagger's probabilities, which are too good on the
articles the tagger was trained on. So the train split is cut in two folds; a tagger with the
committed configuration is trained on each fold and gives its probabilities on the other, and the
ranker learns from those out-of-fold probabilities, as it will meet them on unseen news. Each
rule claim whose content overlaps an annotated content is one group of candidates
(``content_rerank.candidates``), the annotated extent is the right answer, and a linear score is
fitted with a softmax over each group. Only the ranker's weights ship; the fold taggers are
thrown away. The weights are cached in the gitignored ``corpus/rerank.npy`` for ``--resume``.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import numpy as np
import torch
from extract_polnear import trim
from spacy.tokens import DocBin

from claimwatch.extract import content_rerank, learned
from claimwatch.extract.attribution import extract_attributions
from claimwatch.extract.nlp import get_nlp

CORPUS = Path(__file__).resolve().parent / "corpus"
CACHE = CORPUS / "rerank.npy"


def _fold_logp(make_net, train_docs, held_docs, epochs: int, t, seed: int, batches):
    """Log-probabilities [n, roles, 3] of ``held_docs`` from a tagger trained on ``train_docs``."""
    torch.manual_seed(seed)
    net = make_net()
    opt = torch.optim.Adam(net.parameters(), lr=t.getfloat("learning_rate"))
    batch_tokens = t.getint("batch_tokens")
    steps = epochs * sum(1 for _ in batches(train_docs, batch_tokens, random.Random(0)))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: max(0.1, 1.0 - step / max(steps, 1)))
    weight = torch.tensor([1.0, t.getfloat("span_weight"), t.getfloat("span_weight")])
    loss_fn = torch.nn.CrossEntropyLoss(weight=weight, ignore_index=-100)
    rng = random.Random(seed)
    for _ in range(epochs):
        for ids, dense, tags, mask in batches(train_docs, batch_tokens, rng):
            opt.zero_grad()
            loss = loss_fn(net(ids, dense, mask).reshape(-1, 3), tags.reshape(-1))
            loss.backward()
            opt.step()
            sched.step()
    net.eval()
    out = []
    with torch.no_grad():
        for ids, dense, _tags in held_docs:
            logits = net(torch.from_numpy(ids[None]), torch.from_numpy(dense[None]), torch.ones((1, len(ids), 1)))[0]
            out.append(torch.log_softmax(logits, dim=-1).numpy())
    return out


def _groups(doc, logp: np.ndarray):
    """(features [c, F], index of the annotated extent) per rule claim whose content overlaps an
    annotated content and whose candidates hold that extent."""
    text = doc.text
    gold = [trim(text, s.start_char, s.end_char) for s in doc.spans["polnear_content"]]
    spans = learned.spans_from_probs(np.exp(logp), doc)
    learned_content, view = spans["content"], spans["view"]
    claims = extract_attributions(doc)
    cues = learned.cue_spans(doc, claims)
    out = []
    for claim in claims:
        content = learned._token_span(doc, claim.content.span)
        if not content:
            continue
        c_chars = learned._chars(doc, content)
        overlapping = [g for g in gold if g[0] < c_chars[1] and c_chars[0] < g[1]]
        if not overlapping:
            continue
        target = max(overlapping, key=lambda g: min(g[1], c_chars[1]) - max(g[0], c_chars[0]))
        cands = content_rerank.candidates(view, content, learned_content, *learned.content_limits(cues, claim, content))
        hits = [k for k, sp in enumerate(cands) if trim(text, *learned._chars(doc, sp)) == target]
        if len(cands) > 1 and hits:
            out.append((content_rerank.features(view, cands, logp[:, 2], learned_content), hits[0]))
    return out


def _fit(groups, seed: int, steps: int = 400, l2: float = 1e-3) -> np.ndarray:
    """Weights of a linear score with a softmax over each group's candidates."""
    torch.manual_seed(seed)
    width = max(len(f) for f, _ in groups)
    x = np.zeros((len(groups), width, len(content_rerank.FEATURES)), np.float32)
    mask = np.full((len(groups), width), -1e9, np.float32)
    for g, (f, _) in enumerate(groups):
        x[g, : len(f)], mask[g, : len(f)] = f, 0.0
    xt, mt = torch.from_numpy(x), torch.from_numpy(mask)
    yt = torch.tensor([hit for _, hit in groups])
    w = torch.zeros(len(content_rerank.FEATURES), requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(xt @ w + mt, yt) + l2 * (w * w).sum()
        loss.backward()
        opt.step()
    with torch.no_grad():
        right = float(((xt @ w + mt).argmax(1) == yt).float().mean())
        kept = float((yt == 0).float().mean())
    print(f"content ranker: {len(groups)} train groups, right extent {100 * right:.1f}% (rules' own {100 * kept:.1f}%)")
    return w.detach().numpy()


def train_reranker(make_net, train_split, cfg, seed: int, batches, resume: bool = False) -> np.ndarray:
    if resume and CACHE.exists():
        return np.load(CACHE)
    t0 = time.perf_counter()
    t = cfg["training"]
    docs = list(DocBin().from_disk(CORPUS / "train.spacy").get_docs(get_nlp().vocab))
    groups = []
    for fold in (0, 1):
        held = [i for i in range(len(docs)) if i % 2 == fold]
        fit_on = [train_split[i] for i in range(len(docs)) if i % 2 != fold]
        logps = _fold_logp(
            make_net,
            fit_on,
            [train_split[i] for i in held],
            cfg["rerank"].getint("fold_epochs"),
            t,
            seed + fold,
            batches,
        )
        for i, logp in zip(held, logps, strict=True):
            groups.extend(_groups(docs[i], logp))
        print(f"content ranker: fold {fold} done ({time.perf_counter() - t0:.0f}s)", flush=True)
    weights = _fit(groups, seed)
    np.save(CACHE, weights)
    return weights
