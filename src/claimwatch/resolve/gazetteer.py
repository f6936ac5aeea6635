"""Read-only access to the compiled gazetteer (see build.py).

The SQLite file is opened lazily on the first lookup, read-only and immutable (no locks, no
journal: safe on Lambda's read-only code mount), and answers a name-key lookup through the
primary-key B-tree of a WITHOUT ROWID table: a few microseconds, with only the pages touched in
memory. Results are cached per key.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from claimwatch.resolve.normalize import KEY_VERSION

DEFAULT_PATH = Path(__file__).with_name("data") / "gazetteer.sqlite"
ENV_PATH = "CLAIMWATCH_GAZETTEER"

# Curated regions get ids above every GeoNames id; their place id is "place:<slug>".
CURATED_PID_BASE = 2_000_000_000
COUNTY_PID_BASE = 2_100_000_000  # US counties: place id "place:us-county-<fips>"
KIND_NAME, KIND_ALTERNATE, KIND_FORMER, KIND_ABBREVIATION, KIND_DEMONYM = 0, 1, 2, 3, 4
# Features of places that lie in no one country: continents, oceans, seas, gulfs, macro-regions
# ("Middle East", "Balkans"; they cover their countries).
AREA_FEATURES = ("L.CONT", "H.OCN", "H.SEA", "H.GULF", "L.RGN")

# Coordinates are stored in 1e-5 degrees (about a metre) as integers: 4 bytes each instead of an
# 8-byte REAL, 1.9 MB less over 238k places (the whole Lambda footprint counts); the queries turn
# them back into the same floats.
FORMAT = "4"
COORD_SCALE = 100_000
SCHEMA = """
CREATE TABLE places (pid INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT, admin1 TEXT,
                     lat_e5 INTEGER, lon_e5 INTEGER, population INTEGER NOT NULL, feature TEXT,
                     slug TEXT);
CREATE INDEX places_slug ON places (slug) WHERE slug IS NOT NULL;
CREATE TABLE names (key TEXT NOT NULL, pid INTEGER NOT NULL, kind INTEGER NOT NULL,
                    PRIMARY KEY (key, pid)) WITHOUT ROWID;
CREATE TABLE former (pid INTEGER NOT NULL, name TEXT NOT NULL);
CREATE INDEX former_pid ON former (pid);
CREATE TABLE admin1 (country TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
                     pid INTEGER, PRIMARY KEY (country, code)) WITHOUT ROWID;
CREATE TABLE members (pid INTEGER NOT NULL, member INTEGER NOT NULL);
CREATE INDEX members_pid ON members (pid);
CREATE TABLE covers (pid INTEGER NOT NULL, country TEXT NOT NULL, admin1 TEXT NOT NULL);
CREATE INDEX covers_pid ON covers (pid);
CREATE TABLE not_places (key TEXT PRIMARY KEY, strict INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE strong_names (key TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE strong_places (pid INTEGER PRIMARY KEY);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""


PLACE_COORDS = f"p.lat_e5 / {COORD_SCALE}.0, p.lon_e5 / {COORD_SCALE}.0"


class GazetteerMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Place:
    pid: int
    name: str
    country: str | None
    admin1: str | None  # GeoNames admin1 code ("05"; "LA" for Louisiana)
    lat: float | None
    lon: float | None
    population: int
    feature: str | None  # "P.PPL", "A.PCLI", "A.ADM1", "region", "direction", AREA_FEATURES
    slug: str | None  # curated places and US counties ("place:<slug>" also finds them)

    @property
    def place_id(self) -> str:
        return f"geo:{self.pid}" if self.geonameid else f"place:{self.slug}"

    @property
    def geonameid(self) -> int | None:
        """The GeoNames id; None for a place GeoNames lacks (a front-line direction, Donbas)."""
        return self.pid if self.pid < CURATED_PID_BASE else None

    @property
    def is_area(self) -> bool:
        """Countries, first-order regions, curated regions, continents, seas, macro-regions:
        places that contain others."""
        return self.feature in ("A.PCLI", "A.ADM1", "region") or self.feature in AREA_FEATURES


@dataclass(frozen=True)
class Candidate:
    place: Place
    kind: int  # KIND_NAME | KIND_ALTERNATE | KIND_FORMER | KIND_ABBREVIATION | KIND_DEMONYM


class Gazetteer:
    def __init__(self, path: Path | str | None = None):
        self.path = Path(path or os.environ.get(ENV_PATH) or DEFAULT_PATH)
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self.lookup = lru_cache(maxsize=32768)(self._lookup)
        self.place = lru_cache(maxsize=32768)(self._place)

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            with self._lock:
                if self._db is None:
                    if not self.path.exists():
                        raise GazetteerMissing(
                            f"gazetteer not found at {self.path}: run `make install` or "
                            f"`python -m claimwatch.resolve.build --out {self.path}`"
                        )
                    uri = f"file:{self.path}?mode=ro&immutable=1"
                    db = sqlite3.connect(uri, uri=True, check_same_thread=False)
                    meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('key_version', 'format')"))
                    built = (meta.get("key_version"), meta.get("format"))
                    if built != (KEY_VERSION, FORMAT):
                        db.close()
                        raise GazetteerMissing(
                            f"gazetteer {self.path} was built by another claimwatch (name keys, file "
                            f"format {built}; this code reads {(KEY_VERSION, FORMAT)}): rebuild with "
                            f"`make install`"
                        )
                    self._db = db
        return self._db

    def is_current(self) -> bool:
        """Built, and with the name keys this code computes."""
        try:
            _ = self.db  # opening it checks the build's name keys
            return True
        except GazetteerMissing:
            return False

    def _lookup(self, key: str) -> tuple[Candidate, ...]:
        rows = self.db.execute(
            f"SELECT p.pid, p.name, p.country, p.admin1, {PLACE_COORDS}, p.population, p.feature,"
            " p.slug, n.kind FROM names n JOIN places p ON p.pid = n.pid WHERE n.key = ?",
            (key,),
        ).fetchall()
        return tuple(Candidate(Place(*r[:9]), r[9]) for r in rows)

    def _place(self, pid: int) -> Place | None:
        r = self.db.execute(
            f"SELECT p.pid, p.name, p.country, p.admin1, {PLACE_COORDS}, p.population,"
            " p.feature, p.slug FROM places p WHERE p.pid = ?",
            (pid,),
        ).fetchone()
        return Place(*r) if r else None

    def by_place_id(self, place_id: str) -> Place | None:
        """ "geo:704422", "704422" or "place:donbas" -> Place."""
        place_id = str(place_id).strip()
        if place_id.startswith("place:"):
            r = self.db.execute(
                "SELECT pid FROM places WHERE slug = ? AND slug IS NOT NULL", (place_id[6:],)
            ).fetchone()
            return self.place(r[0]) if r else None
        if place_id.startswith("geo:"):
            place_id = place_id[4:]
        return self.place(int(place_id)) if place_id.isdigit() else None

    @lru_cache(maxsize=4096)
    def former_names(self, pid: int) -> tuple[str, ...]:
        return tuple(r[0] for r in self.db.execute("SELECT name FROM former WHERE pid = ?", (pid,)))

    @lru_cache(maxsize=4096)
    def members(self, pid: int) -> tuple[int, ...]:
        """GeoNames ids a front-line direction stands for."""
        return tuple(r[0] for r in self.db.execute("SELECT member FROM members WHERE pid = ?", (pid,)))

    @lru_cache(maxsize=4096)
    def covers(self, pid: int) -> tuple[tuple[str, str], ...]:
        """(country, admin1 or "") areas a country/region place contains."""
        return tuple(self.db.execute("SELECT country, admin1 FROM covers WHERE pid = ?", (pid,)))

    @lru_cache(maxsize=4096)
    def admin1_name(self, country: str | None, code: str | None) -> str | None:
        if not country or not code:
            return None
        r = self.db.execute("SELECT name FROM admin1 WHERE country = ? AND code = ?", (country, code)).fetchone()
        return r[0] if r else None

    @lru_cache(maxsize=4096)
    def admin1_place(self, country: str, code: str) -> Place | None:
        r = self.db.execute("SELECT pid FROM admin1 WHERE country = ? AND code = ?", (country, code)).fetchone()
        return self.place(r[0]) if r and r[0] is not None else None

    @lru_cache(maxsize=8192)
    def is_not_place(self, key: str, labelled: bool = False) -> bool:
        """A word never taken as a place (strict list), or not unless spaCy labelled it one."""
        r = self.db.execute("SELECT strict FROM not_places WHERE key = ?", (key,)).fetchone()
        return r is not None and (bool(r[0]) or not labelled)

    @lru_cache(maxsize=16384)
    def is_strong_name(self, key: str) -> bool:
        """A name found whatever spaCy labels it: a country, a first-order region, a continent,
        sea or macro-region, a curated or front-line place, a city over 100,000 (its own name)."""
        return self.db.execute("SELECT 1 FROM strong_names WHERE key = ?", (key,)).fetchone() is not None

    @lru_cache(maxsize=16384)
    def is_strong_place(self, pid: int) -> bool:
        """A country, region, continent, sea, curated place or front-line town (not merely a
        big city): the places whose every name is a strong name."""
        return self.db.execute("SELECT 1 FROM strong_places WHERE pid = ?", (pid,)).fetchone() is not None

    def meta(self) -> dict:
        return dict(self.db.execute("SELECT key, value FROM meta"))

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


_default: Gazetteer | None = None


def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (opened on first lookup, not on import)."""
    global _default
    if _default is None:
        _default = Gazetteer()
    return _default


def set_gazetteer(gazetteer: Gazetteer | None) -> None:
    """Point the process at another gazetteer file (tests, benchmarks)."""
    global _default
    _default = gazetteer
