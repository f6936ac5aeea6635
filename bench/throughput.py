"""Throughput of the full text → claims path vs spaCy alone (``make bench-throughput``).

Same texts (PolNeAR dev articles), same process, same batch size: the model with our two rule
components disabled, ``get_nlp().pipe`` alone, then ``pipeline.analyze_many`` (parse + attribution + places + actors + ids). Several alternating runs;
medians reported, plus the ratio full/spaCy (1.0 = extraction costs nothing beyond the parse) and
the peak resident memory of the process.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "benchmarks" / "polnear-dev" / "text"
OUT = ROOT / "bench" / "out" / "throughput.json"
COMMAND = "make bench-throughput"
RUNS = 3
BATCH = 16


def main() -> int:
    if not DATA.is_dir():
        print("skipped: ../shared absent (no ../shared/benchmarks/polnear-dev/text)")
        return 0
    sys.path.insert(0, str(ROOT / "src"))
    from claimwatch.extract.nlp import get_nlp
    from claimwatch.pipeline import analyze_many

    texts = [p.read_text(encoding="utf-8") for p in sorted(DATA.glob("*.txt"))]
    words = sum(len(t.split()) for t in texts)
    nlp = get_nlp()
    analyze_many(texts[:4])  # warm-up: lazy loads (gazetteer, vectors) outside the timing

    own = [name for name in nlp.pipe_names if name.startswith("claimwatch_")]
    bare_s, spacy_s, full_s, n_claims = [], [], [], 0
    for _ in range(RUNS):
        t0 = time.perf_counter()
        with nlp.select_pipes(disable=own):  # the model exactly as shipped
            for _doc in nlp.pipe(texts, batch_size=BATCH):
                pass
        bare_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=BATCH):
            pass
        spacy_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        n_claims = sum(len(c) for c in analyze_many(texts, batch_size=BATCH))
        full_s.append(time.perf_counter() - t0)

    bare, sp, fu = statistics.median(bare_s), statistics.median(spacy_s), statistics.median(full_s)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "command": COMMAND,
        "texts": len(texts),
        "words": words,
        "runs": RUNS,
        "batch_size": BATCH,
        "claims": n_claims,
        "spacy_model_only": {"seconds_median": round(bare, 3), "articles_per_s": round(len(texts) / bare, 1),
                             "words_per_s": round(words / bare)},
        "spacy_pipe": {"seconds_median": round(sp, 3), "articles_per_s": round(len(texts) / sp, 1),
                       "words_per_s": round(words / sp)},
        "analyze_many": {"seconds_median": round(fu, 3), "articles_per_s": round(len(texts) / fu, 1),
                         "words_per_s": round(words / fu)},
        "ratio_full_over_spacy": round(sp / fu, 3),
        "ratio_full_over_model_only": round(bare / fu, 3),
        "peak_rss_mb": round(peak_mb, 1),
        "pipeline": get_nlp().pipe_names,
    }
    print(f"{len(texts)} PolNeAR dev texts, {words} words, median of {RUNS} runs, batch {BATCH}\n")
    print(f"{'path':24} {'seconds':>8} {'articles/s':>11} {'words/s':>9}")
    for name, key in (("model only (no rules)", "spacy_model_only"), ("nlp.pipe (get_nlp)", "spacy_pipe"),
                      ("analyze_many (full)", "analyze_many")):
        f = figures[key]
        print(f"{name:24} {f['seconds_median']:>8.2f} {f['articles_per_s']:>11.1f} {f['words_per_s']:>9}")
    print(f"\nratio full/spaCy throughput: {figures['ratio_full_over_spacy']:.2f} "
          f"(vs the bare model: {figures['ratio_full_over_model_only']:.2f})   "
          f"claims: {n_claims}   peak RSS: {figures['peak_rss_mb']} MB")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, indent=2))
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
