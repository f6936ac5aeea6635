"""Toponym resolution on LGL given the gold toponyms, plus gazetteer and watch-match footprint
(``make bench-lgl``).

Scored toponyms: populated places (feature class P), countries (PCLI/PCLS/PCL/PCLD/PCLF) and
first-order regions (ADM1) that carry a gold GeoNames id. Each article's gold toponyms are
resolved together with `claimwatch.resolve.places.resolve_toponyms` (the same candidate scoring
and disambiguation as `find_places`: population, name kind, the article's other toponyms,
qualifiers such as "Alexandria, La."). Exact = same GeoNames id; within 161 km = predicted
coordinates within 161 km (100 miles) of the gold ones, an exact id always counting as within
(our country and region points are computed from the places inside them, GeoNames' own are
not in the packages we build from). A population-only baseline (no context, no qualifiers) from
the same gazetteer is printed alongside.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
LGL = ROOT.parent / "shared" / "benchmarks" / "lgl" / "lgl.xml"
OUT = ROOT / "bench" / "out" / "lgl_resolution.json"
COMMAND = "make bench-lgl"
COUNTRY_CODES = {"PCLI", "PCLS", "PCL", "PCLD", "PCLF"}
WITHIN_KM = 161.0

# ../shared/benchmarks/README.md (Gritta et al., ACL 2018; Mordecai3).
PUBLISHED = [
    {"system": "Mordecai3 (given gold toponyms)", "exact_pct": 79.4, "within_161km_pct": 82.7},
    {"system": "CamCoder (end to end)", "exact_pct": None, "within_161km_pct": 76.0},
    {"system": "Edinburgh (end to end)", "exact_pct": None, "within_161km_pct": 76.0},
    {"system": "CLAVIN (end to end)", "exact_pct": None, "within_161km_pct": 71.0},
    {"system": "population baseline (end to end)", "exact_pct": None, "within_161km_pct": 70.0},
]


def load_articles(path: Path) -> list[dict]:
    articles = []
    for art in ElementTree.parse(path).getroot().iter("article"):
        text = art.findtext("text") or ""
        toponyms = []
        for t in art.iter("toponym"):
            tag = t.find("gaztag")
            gold = None
            if tag is not None and tag.get("geonameid"):
                gold = {
                    "geonameid": int(tag.get("geonameid")),
                    "fclass": tag.findtext("fclass"),
                    "fcode": tag.findtext("fcode"),
                    "lat": float(tag.findtext("lat")),
                    "lon": float(tag.findtext("lon")),
                }
            toponyms.append(
                {
                    "start": int(t.findtext("start")),
                    "end": int(t.findtext("end")),
                    "phrase": t.findtext("phrase"),
                    "gold": gold,
                }
            )
        articles.append({"docid": art.get("docid"), "text": text, "toponyms": toponyms})
    return articles


def scored(gold: dict | None) -> bool:
    return bool(gold) and (gold["fclass"] == "P" or gold["fcode"] in COUNTRY_CODES or gold["fcode"] == "ADM1")


def category(gold: dict) -> str:
    if gold["fclass"] == "P":
        return "populated place"
    return "country" if gold["fcode"] in COUNTRY_CODES else "first-order region"


def score(articles: list[dict], resolve_article) -> dict:
    from claimwatch.resolve.places import haversine_km

    total = exact = within = found = 0
    per_cat: dict[str, list[int]] = {}
    for art in articles:
        tops = art["toponyms"]
        choices = resolve_article(art)
        for t, choice in zip(tops, choices, strict=True):
            gold = t["gold"]
            if not scored(gold):
                continue
            total += 1
            cat = per_cat.setdefault(category(gold), [0, 0, 0])
            cat[0] += 1
            if choice is None:
                continue
            found += 1
            place = choice[0]
            is_exact = place.geonameid == gold["geonameid"]
            near = is_exact or (
                place.lat is not None and haversine_km(place.lat, place.lon, gold["lat"], gold["lon"]) <= WITHIN_KM
            )
            exact += is_exact
            within += near
            cat[1] += is_exact
            cat[2] += near

    def pct(n, d):
        return round(100.0 * n / d, 1) if d else None

    return {
        "toponyms": total,
        "exact_pct": pct(exact, total),
        "within_161km_pct": pct(within, total),
        "resolved_pct": pct(found, total),
        "by_category": {
            k: {"toponyms": v[0], "exact_pct": pct(v[1], v[0]), "within_161km_pct": pct(v[2], v[0])}
            for k, v in per_cat.items()
        },
    }


def with_context(art: dict):
    from claimwatch.resolve.places import resolve_toponyms

    tops = art["toponyms"]
    return resolve_toponyms([t["phrase"] for t in tops], text=art["text"], spans=[(t["start"], t["end"]) for t in tops])


def population_only(art: dict):
    from claimwatch.resolve.places import resolve_toponym

    out = []
    for t in art["toponyms"]:
        p = resolve_toponym(t["phrase"])
        out.append((p, "") if p else None)
    return out


def end_to_end(articles: list[dict]) -> dict:
    """`find_places` on the raw article text (spaCy + gazetteer): a scored gold toponym counts
    when a found mention overlaps its span and resolves within 161 km (the convention of the
    end-to-end figures); precision counts found mentions overlapping any gold toponym."""
    from claimwatch.extract.nlp import get_nlp
    from claimwatch.resolve.places import find_places, haversine_km

    nlp = get_nlp()
    total = hit = exact = found = matched_refs = 0
    t = time.perf_counter()
    docs = nlp.pipe((a["text"] for a in articles), batch_size=32)
    for art, doc in zip(articles, docs, strict=True):
        refs = find_places(doc)
        spans = [(x["start"], x["end"]) for x in art["toponyms"]]
        found += len(refs)
        matched_refs += sum(1 for r in refs if any(r.span[0] < e and s < r.span[1] for s, e in spans))
        for top in art["toponyms"]:
            gold = top["gold"]
            if not scored(gold):
                continue
            total += 1
            over = [r for r in refs if r.span[0] < top["end"] and top["start"] < r.span[1]]
            if not over:
                continue
            r = over[0]
            is_exact = r.geonameid == gold["geonameid"]
            exact += is_exact
            hit += is_exact or (r.lat is not None and haversine_km(r.lat, r.lon, gold["lat"], gold["lon"]) <= WITHIN_KM)

    def pct(n, d):
        return round(100.0 * n / d, 1) if d else None

    return {
        "toponyms": total,
        "exact_pct": pct(exact, total),
        "within_161km_pct": pct(hit, total),
        "mention_precision_pct": pct(matched_refs, found),
        "seconds": round(time.perf_counter() - t, 1),
    }


def cold_start_seconds() -> dict:
    """Fresh interpreters: importing places, actors and the watch matcher, then the first place
    and actor lookups (open the SQLite file, load the actor table); resident memory after it,
    beside a bare interpreter's."""
    rss = "[int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')][0]"
    code = (
        "import time; t0 = time.perf_counter();"
        "from claimwatch.resolve.places import resolve_toponym;"
        "from claimwatch.resolve.actors import resolve_source;"
        "from claimwatch.watch.matcher import WatchIndex;"
        "t1 = time.perf_counter();"
        "p = resolve_toponym('Krasnoarmeyskoye'); a = resolve_source('Kimakovsky');"
        "t2 = time.perf_counter();"
        f"print(t1 - t0, t2 - t1, {rss})"
    )
    runs = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        runs.append((float(out[0]), float(out[1]), int(out[2])))
    baseline = subprocess.run(
        [sys.executable, "-c", f"print({rss})"], capture_output=True, text=True, check=True
    ).stdout
    return {
        "import_s": round(statistics.median(r[0] for r in runs), 4),
        "first_lookup_s": round(statistics.median(r[1] for r in runs), 4),
        "rss_mb": round(statistics.median(r[2] for r in runs) / 1024, 1),
        "rss_bare_python_mb": round(int(baseline) / 1024, 1),
    }


def lookup_microseconds(gazetteer, keys: list[str]) -> dict:
    times = []
    for k in keys:  # uncached: the SQLite B-tree lookup itself
        t = time.perf_counter()
        gazetteer._lookup(k)
        times.append(time.perf_counter() - t)
    cached = []
    for k in keys:
        gazetteer.lookup(k)
    for k in keys:
        t = time.perf_counter()
        gazetteer.lookup(k)
        cached.append(time.perf_counter() - t)
    return {
        "keys": len(keys),
        "median_us": round(statistics.median(times) * 1e6, 1),
        "p95_us": round(sorted(times)[int(0.95 * len(times))] * 1e6, 1),
        "cached_median_us": round(statistics.median(cached) * 1e6, 2),
    }


def watch_match(gazetteer) -> list[dict]:
    from claimwatch.watch.matcher import benchmark_index_and_claim

    out = []
    for n in (1000, 5000):
        t = time.perf_counter()
        idx, claim = benchmark_index_and_claim(gazetteer, n)
        build_s = time.perf_counter() - t
        idx.match(claim)
        times = []
        for _ in range(300):
            t = time.perf_counter()
            matches = idx.match(claim)
            times.append(time.perf_counter() - t)
        out.append(
            {
                "watches": len(idx),
                "matches_per_claim": len(matches),
                "index_build_s": round(build_s, 3),
                "match_median_ms": round(statistics.median(times) * 1000, 3),
                "match_p95_ms": round(sorted(times)[int(0.95 * len(times))] * 1000, 3),
            }
        )
    return out


def main() -> int:
    if not LGL.exists():
        print(f"skipped: ../shared absent ({LGL} not found)")
        return 0
    from claimwatch.resolve.gazetteer import get_gazetteer
    from claimwatch.resolve.normalize import name_key

    g = get_gazetteer()
    articles = load_articles(LGL)
    t = time.perf_counter()
    ours = score(articles, with_context)
    ours_s = time.perf_counter() - t
    baseline = score(articles, population_only)
    e2e = end_to_end(articles)
    keys = sorted({name_key(t["phrase"]) for a in articles for t in a["toponyms"]})
    g.lookup.cache_clear()
    lookups = lookup_microseconds(g, keys)
    cold = cold_start_seconds()
    watches = watch_match(g)
    meta = g.meta()
    size_mb = round(g.path.stat().st_size / 1e6, 1)

    figures = {
        "lgl": {**ours, "articles": len(articles), "seconds": round(ours_s, 2), "command": COMMAND},
        "lgl_population_only": {**baseline, "command": COMMAND},
        "lgl_end_to_end": {**e2e, "command": COMMAND},
        "published": PUBLISHED,
        "gazetteer": {
            "size_mb": size_mb,
            "places": int(meta.get("places", 0)),
            "name_keys": int(meta.get("names", 0)),
            "cities_file": meta.get("cities_file"),
            "command": COMMAND,
        },
        "cold_start": {**cold, "command": COMMAND},
        "lookup": {**lookups, "command": COMMAND},
        "watch_match": [{**w, "command": COMMAND} for w in watches],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print(
        f"LGL toponym resolution given gold toponyms ({ours['toponyms']} populated places, "
        f"countries, first-order regions in {len(articles)} articles)"
    )
    print(f"  {'system':<40} {'exact id':>9} {'<=161 km':>9}")

    def row(name, e, w):
        print(f"  {name:<40} {f'{e:.1f}' if e is not None else '—':>9} {f'{w:.1f}' if w is not None else '—':>9}")

    row("claimwatch (context + qualifiers)", ours["exact_pct"], ours["within_161km_pct"])
    row("claimwatch population only", baseline["exact_pct"], baseline["within_161km_pct"])
    row("claimwatch end to end (find_places)", e2e["exact_pct"], e2e["within_161km_pct"])
    for p in PUBLISHED:
        row(p["system"], p["exact_pct"], p["within_161km_pct"])
    print(
        f"  end to end: spaCy + find_places on the raw text, {e2e['seconds']} s; "
        f"{e2e['mention_precision_pct']}% of found mentions overlap a gold toponym "
        "(LGL leaves many places unannotated; demonyms are toponyms there, never in find_places)"
    )
    print("  by category (claimwatch):")
    for k, v in sorted(ours["by_category"].items()):
        print(f"    {k:<24} n={v['toponyms']:<5} exact {v['exact_pct']:>5}  <=161 km {v['within_161km_pct']:>5}")
    print(
        f"gazetteer: {size_mb} MB, {meta.get('places')} places, {meta.get('names')} name keys "
        f"({meta.get('cities_file')})"
    )
    print(
        f"cold start: import {cold['import_s'] * 1000:.0f} ms, first place + actor lookup "
        f"{cold['first_lookup_s'] * 1000:.1f} ms, RSS {cold['rss_mb']} MB "
        f"(bare python {cold['rss_bare_python_mb']} MB)"
    )
    print(
        f"lookup: median {lookups['median_us']} µs, p95 {lookups['p95_us']} µs uncached; "
        f"{lookups['cached_median_us']} µs cached ({lookups['keys']} keys)"
    )
    for w in watches:
        print(
            f"watch match: {w['watches']} watches -> median {w['match_median_ms']} ms, "
            f"p95 {w['match_p95_ms']} ms per claim ({w['matches_per_claim']} matches; "
            f"index built in {w['index_build_s']} s)"
        )
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
