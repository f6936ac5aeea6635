"""Throughput of the full text → claims path vs spaCy alone (``make bench-throughput``).

Same texts (PolNeAR dev articles), same process, same batch size, runs interleaved so machine
load hits every path alike:
- the model as shipped (our two rule components disabled);
- ``get_nlp().pipe`` (model + paragraph breaks + NER fixes);
- ``analyze_many(..., with_entities=False)``: parse + attribution, coreference, dates, ids;
- ``analyze_many(...)``: the full path, plus places and actors from ``claimwatch.resolve``.
Medians of several runs, in CPU seconds of this process (robust to other jobs sharing the
cores) and wall seconds; ratios are throughput relative to ``get_nlp().pipe``; peak RSS.
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
RUNS = 5
BATCH = 16


def _timed(fn) -> tuple[float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


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
    analyze_many(texts[:4])  # warm-up: lazy loads (gazetteer, actor tables) outside the timing
    own = [name for name in nlp.pipe_names if name.startswith("claimwatch_")]
    claims = {}

    def model_only():
        with nlp.select_pipes(disable=own):
            for _doc in nlp.pipe(texts, batch_size=BATCH):
                pass

    def spacy_pipe():
        for _doc in nlp.pipe(texts, batch_size=BATCH):
            pass

    def extraction():
        claims["extraction"] = sum(len(c) for c in analyze_many(texts, batch_size=BATCH, with_entities=False))

    def full():
        claims["full"] = sum(len(c) for c in analyze_many(texts, batch_size=BATCH))

    paths = {
        "spacy_model_only": ("model as shipped", model_only),
        "spacy_pipe": ("get_nlp().pipe", spacy_pipe),
        "analyze_many_extraction": ("analyze_many, no entities", extraction),
        "analyze_many": ("analyze_many (full)", full),
    }
    cpu = {k: [] for k in paths}
    wall = {k: [] for k in paths}
    for _ in range(RUNS):
        for key, (_, fn) in paths.items():
            c, w = _timed(fn)
            cpu[key].append(c)
            wall[key].append(w)

    figures = {
        "command": COMMAND,
        "texts": len(texts),
        "words": words,
        "runs": RUNS,
        "batch_size": BATCH,
        "pipeline": nlp.pipe_names,
        "claims": claims,
    }
    base = statistics.median(cpu["spacy_pipe"])
    print(f"{len(texts)} PolNeAR dev texts, {words} words, median of {RUNS} interleaved runs, batch {BATCH}\n")
    print(f"{'path':28} {'cpu s':>7} {'wall s':>7} {'articles/s':>11} {'words/s':>8} {'vs nlp.pipe':>12}")
    for key, (label, _) in paths.items():
        c, w = statistics.median(cpu[key]), statistics.median(wall[key])
        figures[key] = {
            "cpu_seconds_median": round(c, 3),
            "wall_seconds_median": round(w, 3),
            "articles_per_cpu_s": round(len(texts) / c, 2),
            "words_per_cpu_s": round(words / c),
            "throughput_ratio_vs_spacy_pipe": round(base / c, 3),
        }
        print(f"{label:28} {c:>7.2f} {w:>7.2f} {len(texts) / c:>11.2f} {words / c:>8.0f} {base / c:>12.2f}")
    figures["ratio_full_over_spacy"] = figures["analyze_many"]["throughput_ratio_vs_spacy_pipe"]
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(
        f"\nratio full/spaCy throughput (CPU time): {figures['ratio_full_over_spacy']:.2f}   "
        f"claims: {claims}   peak RSS: {figures['peak_rss_mb']} MB"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, indent=2))
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
