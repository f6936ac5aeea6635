"""Novelty: is this claim new? (``make bench-novelty``)

Data: every ``bench/data/novelty/*.yaml``, FICTIONAL articles where some re-report others
(verbatim wire copy, paraphrase with Ukrainian place names, a syndicated copy with a new GUID
and utm parameters, an edited article, a denial, a second-side confirmation; ``reports.yaml``: a
ministry bulletin and its wire re-reports by both sides in other words, spellings and tenses, a
summary followed by the quoted statement) plus near misses (same wording about another place, the
same company with a different claim, a changed number, the other side's mirror claim). Each
article's gold claims carry a key; the first occurrence of a key in processing order is "new",
later ones are not. The files run one after another into one store; keys are per file.

Runs over the same articles, all through ``assign_cluster``, with an in-memory store:
- ``pipeline``: claims extracted by ``claimwatch.pipeline.analyze`` (spaCy, resolution); each
  extracted claim is mapped to the gold claim whose content span it overlaps most (at least half
  of the shorter span); extracted claims that map to none are counted and left out;
- ``gold``: claims hand-built from the annotations (source, cue, content, places), isolating
  novelty from extraction errors;
and ``dynamo``: the gold claims through ``DynamoNoveltyStore`` on moto (in-process, no network),
its DynamoDB capacity units counted by DynamoDB's rules with the meter of ``bench/pipeline.py``:
what novelty costs per claim on a mix of new claims and repeats.

Figures: precision and recall of "new" (positive class = new), false alerts (a repeat predicted
new: an instant watch would alert again), missed alerts (a new claim swallowed by another
cluster), and whether the denial and confirmation show up as developments.

    python bench/novelty.py [--mode pipeline|gold|dynamo|all]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import yaml

from claimwatch.model import ActorRef, Claim, Content, Cue, PlaceRef, Provenance, Source, stable_id
from claimwatch.novelty import InMemoryNoveltyStore, assign_cluster

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "bench" / "data" / "novelty"
OUT = ROOT / "bench" / "out" / "novelty.json"
COMMAND = "make bench-novelty"


def canonical_url(url: str) -> str:
    """What the fetch stage keys articles on: no utm_* parameters, no fragment."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith("utm_")]
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path, urlencode(query), ""))


def load_data(data_dir: Path = DATA_DIR) -> dict:
    """All data files as one: articles and keys prefixed with the file's name, each article
    carrying its file's place and actor tables (hand-built claims resolve mentions with them)."""
    merged = {"order": [], "articles": {}, "files": []}
    for path in sorted(data_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        merged["files"].append(path.name)
        for art_id in data["order"]:
            article = dict(data["articles"][art_id])
            article["claims"] = [{**c, "key": f"{path.stem}:{c['key']}"} for c in article["claims"]]
            article["places"], article["actors"] = data.get("places") or {}, data.get("actors") or {}
            merged["order"].append(f"{path.stem}:{art_id}")
            merged["articles"][f"{path.stem}:{art_id}"] = article
    return merged


def gold_spans(article: dict) -> list:
    """[(key, (start, end), annotation)] for the article's gold claims."""
    out = []
    for ann in article["claims"]:
        start = article["text"].find(ann["content"])
        if start < 0:
            raise ValueError(f"gold content not in text: {ann['content']!r}")
        out.append((ann["key"], (start, start + len(ann["content"])), ann))
    return out


def _mentions(text: str, span: tuple, table: dict):
    taken = []
    for alias in sorted(table, key=len, reverse=True):
        for m in re.finditer(rf"\b{re.escape(alias)}\b", text[span[0] : span[1]]):
            s, e = span[0] + m.start(), span[0] + m.end()
            if not any(a <= s < b for a, b in taken):
                taken.append((s, e))
                yield alias, (s, e), table[alias]


def hand_built(article: dict, provenance: Provenance) -> list:
    """Claims as a perfect extractor and resolver would give them (spans into the article text;
    the source's actor id from the actor table, as the pipeline's source resolution gives it)."""
    places, actors = article["places"], article["actors"]
    text = article["text"]
    claims = []
    for key, span, ann in gold_spans(article):
        sentence_start = max(text.rfind("\n", 0, span[0]) + 1, 0)
        sentence_end = text.find("\n", span[1])
        sentence_end = len(text) if sentence_end < 0 else sentence_end
        src_at = text.find(ann["source"], sentence_start)
        cue_at = text.find(ann["cue"], sentence_start)
        claim = Claim(
            source=Source(
                text=ann["source"],
                name=ann.get("source_name") or ann["source"],
                span=(src_at, src_at + len(ann["source"])),
                actor_id=actors.get(ann.get("source_name") or ann["source"]),
            ),
            cue=Cue(text=ann["cue"], span=(cue_at, cue_at + len(ann["cue"]))),
            content=Content(text=ann["content"], span=span),
            stance=ann.get("stance", "assert"),
            sentence_span=(sentence_start, sentence_end),
            provenance=provenance,
        )
        claim.places = [PlaceRef(text=a, name=v[1], span=s, place_id=v[0]) for a, s, v in _mentions(text, span, places)]
        claim.actors = [ActorRef(text=a, name=a, span=s, actor_id=v) for a, s, v in _mentions(text, span, actors)]
        claim.ensure_id(provenance.article_id)
        claims.append((key, claim))
    return claims


def _overlap(a: tuple, b: tuple) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter / max(1, min(a[1] - a[0], b[1] - b[0])) if inter > 0 else 0.0


def expected_developments(data: dict) -> set:
    return {
        (art_id, c["key"], c["expect_development"])
        for art_id, a in data["articles"].items()
        for c in a["claims"]
        if c.get("expect_development")
    }


def extracted(article: dict, provenance: Provenance, analyze) -> tuple:
    """Pipeline claims mapped to gold keys: ([(key, claim)], unmapped count, gold keys missed)."""
    gold = gold_spans(article)
    mapped, unmapped = [], 0
    for claim in analyze(article["text"], provenance=provenance):
        span = claim.content.span
        best = (
            max(((_overlap(span, g_span), key) for key, g_span, _ in gold), default=(0.0, None))
            if span
            else (0.0, None)
        )
        if best[0] >= 0.5:
            mapped.append((best[1], claim))
        else:
            unmapped += 1
    missed = {key for key, _, _ in gold} - {key for key, _ in mapped}
    return mapped, unmapped, missed


def run(mode: str, data: dict, store=None) -> dict:
    analyze = None
    if mode == "pipeline":
        from claimwatch.pipeline import analyze
    store = store or InMemoryNoveltyStore()
    seen_keys, rows = set(), []
    unmapped_total, missed_total = 0, []
    t0 = time.perf_counter()
    assign_seconds = 0.0
    for art_id in data["order"]:
        article = data["articles"][art_id]
        provenance = Provenance(
            article_id=stable_id(canonical_url(article["url"])),
            url=article["url"],
            outlet=article["outlet"],
            title=article["title"],
            published=article["published"],
        )
        if mode == "pipeline":
            pairs, unmapped, missed = extracted(article, provenance, analyze)
            unmapped_total += unmapped
            missed_total += [f"{art_id}:{k}" for k in sorted(missed)]
        else:  # gold, dynamo
            pairs = hand_built(article, provenance)
        now = datetime.fromisoformat(article["published"]).astimezone(UTC)
        for key, claim in pairs:
            t = time.perf_counter()
            result = assign_cluster(claim, store, outlet=article["outlet"], now=now)
            assign_seconds += time.perf_counter() - t
            gold_new = key not in seen_keys
            seen_keys.add(key)
            rows.append(
                {
                    "article": art_id,
                    "kind": article["kind"],
                    "key": key,
                    "content": claim.content.text,
                    "gold_new": gold_new,
                    "predicted_new": result.is_new,
                    "cluster_id": result.cluster_id,
                    "similarity": round(result.similarity, 3),
                    "development": (result.development or {}).get("kind"),
                }
            )
    tp = sum(r["gold_new"] and r["predicted_new"] for r in rows)
    fp = sum(not r["gold_new"] and r["predicted_new"] for r in rows)
    fn = sum(r["gold_new"] and not r["predicted_new"] for r in rows)
    tn = sum(not r["gold_new"] and not r["predicted_new"] for r in rows)
    # One gold claim should be one cluster: count gold keys split over several clusters, and
    # clusters holding several gold keys.
    found_devs = {(r["article"], r["key"], r["development"]) for r in rows if r["development"]}
    expected_devs = expected_developments(data)
    key_clusters, cluster_keys = {}, {}
    for r in rows:
        key_clusters.setdefault(r["key"], set()).add(r["cluster_id"])
        cluster_keys.setdefault(r["cluster_id"], set()).add(r["key"])
    return {
        "mode": mode,
        "claims": len(rows),
        "gold_new": tp + fn,
        "gold_repeats": fp + tn,
        "precision_new": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall_new": round(tp / (tp + fn), 3) if tp + fn else None,
        "false_alerts": fp,
        "missed_alerts": fn,
        "true_positives": tp,
        "true_negatives": tn,
        "split_gold_claims": sorted(k for k, c in key_clusters.items() if len(c) > 1),
        "merged_clusters": sorted(sorted(k) for k in cluster_keys.values() if len(k) > 1),
        "developments": sorted(found_devs),
        "developments_expected_found": len(found_devs & expected_devs),
        "developments_expected": len(expected_devs),
        "developments_spurious": sorted(found_devs - expected_devs),
        "unmapped_extracted_claims": unmapped_total,
        "gold_claims_not_extracted": missed_total,
        "seconds_total": round(time.perf_counter() - t0, 3),
        "ms_per_assign": round(1000 * assign_seconds / max(1, len(rows)), 3),
        "store_lookups": getattr(store, "lookups", None),  # band keys read (in-memory store)
        "store_index_writes": getattr(store, "index_writes", None),  # band keys written
        "store_clusters_read": getattr(store, "clusters_read", None),
        "rows": rows,
    }


def print_table(res: dict) -> None:
    print(
        f"\n== novelty, {res['mode']} claims: {res['claims']} claims "
        f"({res['gold_new']} new, {res['gold_repeats']} repeats) =="
    )
    print(f"{'article':8} {'kind':58} {'key':4} {'gold':5} {'pred':5} {'sim':5} dev")
    for r in res["rows"]:
        flag = "" if r["gold_new"] == r["predicted_new"] else "  <-- wrong"
        print(
            f"{r['article']:8} {r['kind'][:58]:58} {r['key']:4} {'new' if r['gold_new'] else 'rep':5} "
            f"{'new' if r['predicted_new'] else 'rep':5} {r['similarity']:<5} {r['development'] or ''}{flag}"
        )
    print(
        f"precision(new) {res['precision_new']}  recall(new) {res['recall_new']}  "
        f"false alerts {res['false_alerts']}  missed alerts {res['missed_alerts']}"
    )
    print(
        f"developments: {res['developments_expected_found']}/{res['developments_expected']} expected found; "
        f"spurious: {res['developments_spurious']}"
    )
    if res["mode"] == "pipeline":
        print(
            f"extracted claims without a gold claim: {res['unmapped_extracted_claims']}; "
            f"gold claims not extracted: {len(res['gold_claims_not_extracted'])} {res['gold_claims_not_extracted']}"
        )
    if res["store_lookups"] is not None:
        print(
            f"assign_cluster: {res['ms_per_assign']} ms per claim; band keys read {res['store_lookups']}, "
            f"written {res['store_index_writes']}; cluster records read {res['store_clusters_read']}"
        )
    if "dynamodb" in res:
        d = res["dynamodb"]
        print(
            f"DynamoDB (moto, units by DynamoDB's rules): {d['wcu_per_claim']} WCU and {d['rcu_per_claim']} RCU "
            f"per claim, {d['bytes_per_claim']} bytes stored per claim ({d['items']} items)"
        )
        for op, u in d["by_operation"].items():
            print(f"  {op:16} {u['calls']:5} calls  {u['wcu']:7.1f} WCU  {u['rcu']:7.1f} RCU")


def run_dynamo(data: dict) -> dict:
    """The gold run on DynamoNoveltyStore (moto in-process), billed by bench/pipeline.py's meter."""
    import os

    import boto3
    from moto import mock_aws
    from pipeline import CapacityMeter  # bench/pipeline.py: DynamoDB's capacity rules

    from claimwatch.local.template import create_template_table
    from claimwatch.store.dynamo_cluster_index import DynamoNoveltyStore

    # moto answers in-process: fake credentials, no endpoint override (nothing leaves the process)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    for var, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "eu-west-1"),
    ):
        os.environ[var] = value
    meter = CapacityMeter()
    meter.install()
    try:
        with mock_aws():
            ddb = boto3.resource("dynamodb")
            create_template_table(ddb, "NoveltyTable")
            meter.phase, meter.function = "novelty", "ExtractFunction"
            res = run("dynamo", data, DynamoNoveltyStore("NoveltyTable", dynamodb=ddb))
            meter.function = None
            items, stored = meter.stored_bytes().get("NoveltyTable", (0, 0))
    finally:
        meter.uninstall()
    by_op = meter.totals({"novelty"}, by=("op",))
    n = max(1, res["claims"])
    res["dynamodb"] = {
        "wcu_per_claim": round(sum(u.wcu for u in by_op.values()) / n, 2),
        "rcu_per_claim": round(sum(u.rcu for u in by_op.values()) / n, 2),
        "bytes_per_claim": round(stored / n),
        "items": items,
        "by_operation": {op: {"calls": u.calls, "wcu": u.wcu, "rcu": u.rcu} for (op,), u in sorted(by_op.items())},
    }
    return res


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("pipeline", "gold", "dynamo", "all"), default="all")
    args = parser.parse_args(argv)
    data = load_data()
    modes = ["gold", "dynamo", "pipeline"] if args.mode == "all" else [args.mode]
    results = {}
    for mode in modes:
        try:
            results[mode] = run_dynamo(data) if mode == "dynamo" else run(mode, data)
        except ImportError as exc:  # the pipeline is not installed in this environment
            print(f"skipped {mode}: {exc}")
            continue
        print_table(results[mode])
    headline = results.get("pipeline") or results.get("gold")
    figures = {
        mode: {k: v for k, v in res.items() if k != "rows"} | {"command": f"{COMMAND}", "rows": res["rows"]}
        for mode, res in results.items()
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "command": COMMAND,
                "dataset": (
                    f"bench/data/novelty/{{{','.join(data['files'])}}} ({len(data['order'])} fictional articles)"
                ),
                "headline_mode": headline["mode"] if headline else None,
                "precision_new": headline["precision_new"] if headline else None,
                "recall_new": headline["recall_new"] if headline else None,
                "false_alerts": headline["false_alerts"] if headline else None,
                # DynamoDB capacity of novelty per claim (gold claims, moto, DynamoDB's billing rules)
                **(
                    {f"dynamodb_{k}": v for k, v in results["dynamo"]["dynamodb"].items() if k != "by_operation"}
                    if "dynamo" in results
                    else {}
                ),
                **figures,
            },
            indent=1,
            default=list,
        ),
        encoding="utf-8",
    )
    print(f"\nwrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
