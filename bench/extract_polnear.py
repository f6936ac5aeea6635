"""Score claim extraction on the PolNeAR dev split (``make bench-extract``).

Convention (../shared/benchmarks/README.md): gold = the first annotator's file per article in
sorted order; spans trimmed of whitespace, quotation marks and edge punctuation (a span that is
only punctuation keeps its span); a discontinuous span counts as its envelope. Exact: micro
P/R/F1 per role over (article, span) sets. Overlap: characters shared with the best span of the
other side. Relation: a prediction matches an unused gold relation when the cues overlap, the
contents have character Jaccard >= 0.5 and the sources are identical (or both absent).
Predicted spans are ``source.span``, ``cue.span``, ``content.span`` of ``Claim.to_dict()``.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "benchmarks" / "polnear-dev"
OUT = ROOT / "bench" / "out" / "extract_polnear.json"
COMMAND = "make bench-extract"
ROLES = ("source", "cue", "content")
_TRIM = set(" \t\r\n\"'“”‘’`.,;:!?()[]{}—–-―…")

# Published exact-span P/R/F1 on the PolNeAR *test* split (CofeNet, COLING 2022, Table 6).
PUBLISHED = {
    "rule-based": {"source": (27.8, 6.7, 10.7), "cue": (67.6, 13.7, 22.8), "content": (26.0, 3.2, 5.6)},
    "CoreNLP quotes": {"source": (32.1, 8.9, 13.9), "cue": None, "content": (59.2, 10.3, 17.5)},
    "CRF": {"source": (62.6, 42.4, 50.6), "cue": (66.3, 44.7, 53.4), "content": (36.8, 23.5, 28.6)},
    "BERT+CofeNet": {"source": (82.9, 83.6, 83.2), "cue": (75.9, 74.7, 75.3), "content": (74.9, 71.1, 72.9)},
}


_ANN_LINE = re.compile(r"[TE]\d+\t")


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    s, e = start, end
    while s < e and text[s] in _TRIM:
        s += 1
    while e > s and text[e - 1] in _TRIM:
        e -= 1
    return (start, end) if s >= e else (s, e)


def parse_ann(path: Path, text: str) -> tuple[dict, list]:
    """(role -> set of trimmed spans, relations [(source|None, cue, content)])."""
    spans, labels = {}, {}
    relations = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not _ANN_LINE.match(line):  # the rest of a span text that held a line break
            continue
        if line.startswith("T"):
            tid, body, *_ = line.split("\t")
            label, _, offsets = body.partition(" ")
            pairs = [tuple(int(x) for x in part.split()) for part in offsets.split(";")]
            spans[tid] = trim(text, min(p[0] for p in pairs), max(p[1] for p in pairs))
            labels[tid] = label
        elif line.startswith("E"):
            args = dict(a.split(":", 1) for a in line.split("\t")[1].split())
            rel = {role: spans.get(args.get(role.capitalize())) for role in ROLES}
            if rel["cue"] and rel["content"]:
                relations.append((rel["source"], rel["cue"], rel["content"]))
    gold = {role: {spans[t] for t, lab in labels.items() if lab == role.capitalize()} for role in ROLES}
    return gold, relations


def load_dev(data: Path = DATA) -> list[tuple[str, str, dict, list]]:
    """(article, text, gold spans, gold relations) of a PolNeAR split folder (dev by default)."""
    articles = []
    anns = sorted(p.name for p in (data / "attributions").glob("*.ann"))
    for txt in sorted((data / "text").glob("*.txt")):
        first = next((a for a in anns if a.startswith(txt.stem + "_")), None)
        if first is None:
            continue
        text = txt.read_text(encoding="utf-8")
        gold, relations = parse_ann(data / "attributions" / first, text)
        articles.append((txt.stem, text, gold, relations))
    return articles


def _prf(tp_p: float, n_p: float, tp_r: float, n_g: float) -> dict:
    p = tp_p / n_p if n_p else 0.0
    r = tp_r / n_g if n_g else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(100 * p, 1), "r": round(100 * r, 1), "f1": round(100 * f, 1)}


def _overlap(a, b) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _jaccard(a, b) -> float:
    inter = _overlap(a, b)
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union else 0.0


def _miss_reason(gs, gc, gt, pred_rel) -> str:
    """Why a gold relation found no partner: which role failed first."""
    cands = [p for p in pred_rel if _overlap(p[1], gc)]
    if not cands:
        return "no_cue_found"
    if max(_jaccard(p[2], gt) for p in cands) < 0.5:
        return "content_mismatch"
    return "source_mismatch"


def score(articles, predictions) -> dict:
    exact = {r: Counter() for r in ROLES}
    over = {r: Counter() for r in ROLES}
    rel = Counter()
    misses = Counter()
    for (_, text, gold, gold_rel), claims in zip(articles, predictions, strict=True):
        pred = {r: set() for r in ROLES}
        pred_rel = []
        for c in claims:
            spans = {r: (trim(text, *c[r]["span"]) if c[r]["span"] else None) for r in ROLES}
            for r in ROLES:
                if spans[r]:
                    pred[r].add(spans[r])
            pred_rel.append((spans["source"], spans["cue"], spans["content"]))
        for r in ROLES:
            g, p = gold[r], pred[r]
            exact[r]["tp"] += len(g & p)
            exact[r]["pred"] += len(p)
            exact[r]["gold"] += len(g)
            over[r]["p_chars"] += sum(max((_overlap(s, t) for t in g), default=0) for s in p)
            over[r]["pred_chars"] += sum(s[1] - s[0] for s in p)
            over[r]["r_chars"] += sum(max((_overlap(s, t) for t in p), default=0) for s in g)
            over[r]["gold_chars"] += sum(s[1] - s[0] for s in g)
        used = set()
        for ps, pc, pt in pred_rel:
            for i, (gs, gc, gt) in enumerate(gold_rel):
                if i in used or _overlap(pc, gc) == 0:
                    continue
                if _jaccard(pt, gt) >= 0.5 and ps == gs:
                    used.add(i)
                    rel["tp"] += 1
                    break
        rel["pred"] += len(pred_rel)
        rel["gold"] += len(gold_rel)
        for i, (gs, gc, gt) in enumerate(gold_rel):
            if i not in used:
                misses[_miss_reason(gs, gc, gt, pred_rel)] += 1
    return {
        "exact": {r: _prf(exact[r]["tp"], exact[r]["pred"], exact[r]["tp"], exact[r]["gold"]) for r in ROLES},
        "overlap": {
            r: _prf(over[r]["p_chars"], over[r]["pred_chars"], over[r]["r_chars"], over[r]["gold_chars"]) for r in ROLES
        },
        "relation": _prf(rel["tp"], rel["pred"], rel["tp"], rel["gold"]),
        "unmatched_gold_relations": dict(misses),
        "counts": {
            "gold_relations": rel["gold"],
            "predicted_claims": rel["pred"],
            **{f"gold_{r}": exact[r]["gold"] for r in ROLES},
        },
    }


def _fmt(t) -> str:
    return "—" if t is None else "/".join(f"{x:.1f}" for x in t)


def _joint_sources_as_one(claims: list[dict]) -> list[dict]:
    """claimwatch gives a joint statement ("X and Y said …") one claim per speaker; PolNeAR
    marks one source span covering both: score the speakers' claims as one, their sources'
    envelope as its source."""
    merged: dict = {}
    for c in claims:
        key = (tuple(c["cue"]["span"] or ()), tuple(c["content"]["span"] or ()))
        first = merged.setdefault(key, c)
        if first is not c and c["source"]["span"] and first["source"]["span"]:
            (a, b), (x, y) = first["source"]["span"], c["source"]["span"]
            first["source"] = {**first["source"], "span": [min(a, x), max(b, y)]}
    return list(merged.values())


def score_modes(articles) -> dict:
    """Rules only, the learned tagger only, and the two combined (extract/learned.py), on docs
    parsed once; printed with their error breakdown."""
    from claimwatch.extract import learned
    from claimwatch.extract.nlp import get_nlp
    from claimwatch.pipeline import claims_from_doc

    if not learned.WEIGHTS.exists():
        print("\nattribution modes: no learned weights (make train-attribution)")
        return {}
    docs = list(get_nlp().pipe((a[1] for a in articles), batch_size=16))
    results = {}
    print(f"\nby attribution mode (default: {learned.get_mode()}; switches {learned.load_manifest().get('switches')})")
    print(f"{'mode':24} {'source P/R/F1':>18} {'cue P/R/F1':>18} {'content P/R/F1':>18} {'relation P/R/F1':>18}")
    row = lambda d: _fmt(tuple(d[k] for k in ("p", "r", "f1")))  # noqa: E731
    try:
        for mode in learned.MODES:
            learned.set_mode(mode)
            preds = [
                _joint_sources_as_one([c.to_dict() for c in claims_from_doc(doc, with_entities=False)]) for doc in docs
            ]
            res = results[mode] = score(articles, preds)
            for kind in ("exact", "overlap"):
                print(
                    f"{mode + ' ' + kind:24} "
                    + " ".join(f"{row(res[kind][r]):>18}" for r in ROLES)
                    + (f" {row(res['relation']):>18}" if kind == "exact" else "")
                )
            print(
                f"{'':24} unmatched gold relations: "
                + ", ".join(f"{k} {v}" for k, v in sorted(res["unmatched_gold_relations"].items()))
            )
    finally:
        learned.set_mode(None)
    return results


def main() -> int:
    if not DATA.is_dir():
        print("skipped: ../shared absent (no ../shared/benchmarks/polnear-dev)")
        return 0
    sys.path.insert(0, str(ROOT / "src"))
    from claimwatch.pipeline import analyze_many

    articles = load_dev()
    t0 = time.perf_counter()
    predictions = [
        _joint_sources_as_one([c.to_dict() for c in claims])
        for claims in analyze_many((a[1] for a in articles), with_entities=False)
    ]
    elapsed = time.perf_counter() - t0
    result = score(articles, predictions)
    ex, ov = result["exact"], result["overlap"]
    print(
        f"PolNeAR dev: {len(articles)} articles, {result['counts']['gold_relations']} gold relations, "
        f"{result['counts']['predicted_claims']} predicted claims ({elapsed:.1f}s)\n"
    )
    print(f"{'system (split)':34} {'source P/R/F1':>18} {'cue P/R/F1':>18} {'content P/R/F1':>18} {'relation F1':>12}")

    def row(d):
        return tuple(d[k] for k in ("p", "r", "f1"))

    print(
        f"{'claimwatch exact (dev)':34} {_fmt(row(ex['source'])):>18} {_fmt(row(ex['cue'])):>18} "
        f"{_fmt(row(ex['content'])):>18} {result['relation']['f1']:>12.1f}"
    )
    print(
        f"{'claimwatch char overlap (dev)':34} {_fmt(row(ov['source'])):>18} {_fmt(row(ov['cue'])):>18} "
        f"{_fmt(row(ov['content'])):>18} {'':>12}"
    )
    for name, figs in PUBLISHED.items():
        print(
            f"{name + ' exact (test, published)':34} {_fmt(figs['source']):>18} {_fmt(figs['cue']):>18} "
            f"{_fmt(figs['content']):>18} {'':>12}"
        )
    print(f"\nrelation-level P/R/F1: {_fmt(row(result['relation']))}")
    print(
        "unmatched gold relations by first failing role: "
        + ", ".join(f"{k} {v}" for k, v in sorted(result["unmatched_gold_relations"].items()))
    )
    modes = score_modes(articles)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    figures = {
        "command": COMMAND,
        "dataset": "PolNeAR v1.0.0 dev split (first annotator per article)",
        "articles": len(articles),
        "seconds": round(elapsed, 2),
        **result,
        "modes": modes,
        "published_test_exact": {k: {r: (list(v[r]) if v[r] else None) for r in ROLES} for k, v in PUBLISHED.items()},
    }
    OUT.write_text(json.dumps(figures, indent=2))
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
