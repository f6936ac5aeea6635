"""The headline table `make bench` ends with: each aim judged on the measured figure."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("collect", REPO / "bench" / "collect.py")
collect = importlib.util.module_from_spec(spec)
spec.loader.exec_module(collect)


def footprint(extract_mib: float, extract_s: float) -> dict:
    return {
        "command": "make bench-footprint",
        "deployment": {"functions": {"ExtractFunction": {"total_mib": extract_mib}}},
        "cold_start": {"functions": {"ExtractFunction": {"cold_start_s": extract_s}}},
    }


def row(rows, figure):
    return next(r for r in rows if r["figure"] == figure)


def test_aims_are_judged_on_the_measured_figures():
    rows = collect.headlines({"footprint": footprint(181.0, 0.94)})
    assert row(rows, "extract function size") == {
        "figure": "extract function size",
        "value": 181.0,
        "unit": "MiB",
        "command": "make bench-footprint",
        "aim": "<= 180",
        "meets_aim": False,
    }
    assert row(rows, "extract cold start")["meets_aim"] is True
    assert "MISSES" in collect.render(rows)


def test_a_benchmark_that_did_not_run_is_shown_as_skipped_not_as_a_verdict():
    rows = collect.headlines({"throughput": {"command": "make bench-throughput", "ratio_full_over_spacy": 0.82}})
    assert row(rows, "extraction throughput vs nlp.pipe")["meets_aim"] is True
    poll = row(rows, "poll 1,000 feeds, first")
    assert poll["value"] is None and "meets_aim" not in poll
    assert "skipped" in collect.render(rows)


def test_a_section_command_is_used_when_the_benchmark_has_none():
    rows = collect.headlines({"lgl_resolution": {"lgl": {"exact_pct": 85.6, "command": "make bench-lgl"}}})
    assert row(rows, "LGL exact id, gold toponyms")["command"] == "make bench-lgl"
