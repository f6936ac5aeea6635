"""Merge the figures of every benchmark (bench/out/*.json) into bench/results.json and print the
headline table: each figure with its aim (issue 7) where it has one, and the command that
reproduces it."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
RESULTS = Path(__file__).resolve().parent / "results.json"

# (label, benchmark, path to the figure, unit, aim as (comparison, value) or None)
HEADLINES = [
    # issue 15's budget with the learned tagger (issue 7 aimed at 0.8 before it)
    ("extraction throughput vs nlp.pipe", "throughput", ("ratio_full_over_spacy",), "x", (">=", 0.7)),
    ("extraction articles / CPU s", "throughput", ("analyze_many", "articles_per_cpu_s"), "", None),
    ("extraction words / CPU s", "throughput", ("analyze_many", "words_per_cpu_s"), "", None),
    ("1 MB article: extract peak/idle RSS", "longtext", ("sizes", "1 MB", "peak_over_idle"), "x", ("<=", 2.0)),
    ("1 MB article: extract CPU", "longtext", ("sizes", "1 MB", "cpu_s"), "s", None),
    ("PolNeAR dev relation F1 (exact)", "extract_polnear", ("relation", "f1"), "", None),
    ("LGL exact id, gold toponyms", "lgl_resolution", ("lgl", "exact_pct"), "%", None),
    ("novelty precision (new claims)", "novelty", ("precision_new",), "", None),
    ("novelty recall (new claims)", "novelty", ("recall_new",), "", None),
    ("poll 1,000 feeds, first", "poll", ("figures", "first_poll_s", "value"), "s", ("<=", 30)),
    ("poll 1,000 feeds, all-304 second", "poll", ("figures", "second_poll_s", "value"), "s", ("<=", 5)),
    ("poll peak traced memory", "poll", ("figures", "peak_traced_mb", "value"), "MB", None),
    ("new item -> SNS, median", "pipeline", ("figures", "e2e_first_alert_median_s", "value"), "s", None),
    (
        "WCU / RCU per article",
        "pipeline",
        (("figures", "wcu_per_article", "value"), ("figures", "rcu_per_article", "value")),
        "",
        None,
    ),
    ("10,000 feeds, monthly", "pipeline", ("figures", "monthly_usd_10k_feeds", "value"), "USD", None),
    (
        "extract function size",
        "footprint",
        ("deployment", "functions", "ExtractFunction", "total_mib"),
        "MiB",
        ("<=", 180),  # issue 15's budget with the learned tagger (was 150 before it)
    ),
    (
        "other functions' size",
        "footprint",
        ("deployment", "functions", "FetchFunction", "total_mib"),
        "MiB",
        ("<=", 250),
    ),
    (
        "extract cold start",
        "footprint",
        ("cold_start", "functions", "ExtractFunction", "cold_start_s"),
        "s",
        ("<=", 1.2),  # issue 15's budget with the learned tagger (was 1.0 before it)
    ),
    (
        "extract peak RSS",
        "footprint",
        ("cold_start", "functions", "ExtractFunction", "peak_rss_mib"),
        "MiB",
        ("<=", 400),
    ),
    ("fetch cold start", "footprint", ("cold_start", "functions", "FetchFunction", "cold_start_s"), "s", ("<=", 0.3)),
    ("alert cold start", "footprint", ("cold_start", "functions", "AlertFunction", "cold_start_s"), "s", ("<=", 0.3)),
]


def _get(data, path):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def headlines(benchmarks: dict) -> list[dict]:
    rows = []
    for label, bench, path, unit, aim in HEADLINES:
        data = benchmarks.get(bench, {})
        if path and isinstance(path[0], tuple):
            values = [_get(data, p) for p in path]
            value = None if None in values else " / ".join(str(v) for v in values)
        else:
            value = _get(data, path)
        # a benchmark's command, or its section's (bench-lgl writes one per section)
        command = data.get("command") or _get(data, (path[0], "command")) or "make bench"
        row = {"figure": label, "value": value, "unit": unit, "command": command}
        if aim is not None and isinstance(value, (int, float)):
            op, target = aim
            row["aim"] = f"{op} {target}"
            row["meets_aim"] = value >= target if op == ">=" else value <= target
        rows.append(row)
    return rows


def render(rows: list[dict]) -> str:
    lines = [f"{'figure':36} {'value':>14}  {'aim':>8}  {'':7} command"]
    for row in rows:
        value = "skipped" if row["value"] is None else f"{row['value']} {row['unit']}".strip()
        verdict = "" if "meets_aim" not in row else ("meets" if row["meets_aim"] else "MISSES")
        lines.append(f"{row['figure']:36} {value:>14}  {row.get('aim', ''):>8}  {verdict:7} {row['command']}")
    return "\n".join(lines)


def main() -> int:
    files = sorted(OUT.glob("*.json"))
    if not files:
        print("no benchmark output in bench/out/: run `make bench`", file=sys.stderr)
        return 1
    benchmarks = {f.stem: json.loads(f.read_text()) for f in files}
    rows = headlines(benchmarks)
    results = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "headlines": rows,
        "benchmarks": benchmarks,
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print("\n" + render(rows) + "\n")
    print(
        f"wrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}: "
        + ", ".join(f.stem for f in files)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
