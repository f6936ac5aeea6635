"""Claims -> the watches they trigger.

`WatchIndex` resolves every watch term once (any spelling, renamings, GeoNames ids) and indexes
the watches by entity key (see claimwatch.resolve.resolver), plus a 1-degree grid for radius
watches. Matching a claim is then a handful of dict lookups per place/actor, independent of
how many watches exist.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from claimwatch import model
from claimwatch.resolve.normalize import name_key
from claimwatch.resolve.places import haversine_km
from claimwatch.resolve.resolver import Resolver, get_resolver
from claimwatch.watch.watchlist import Watch

_CELL_DEG = 1.0


@dataclass
class Match:
    watch_id: str
    kind: str  # place | actor | source | near
    entity_key: str
    text: str  # the span of the claim that triggered it, as written
    span: tuple | None
    reason: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["span"] = list(self.span) if self.span else None
        return d


@dataclass(frozen=True)
class _Entry:
    watch_id: str
    kind: str
    label: str  # the watch's own term: "Pokrovsk"
    how: str  # how the term resolved: "name", "GeoNames id", "alias of ..."


@dataclass(frozen=True)
class _Radius:
    watch_id: str
    label: str
    lat: float
    lon: float
    km: float


class WatchIndex:
    def __init__(self, watches: Iterable[Watch], resolver: Resolver | None = None):
        self.resolver = resolver or get_resolver()
        self.watches = {w.id: w for w in watches}
        self.by_key: dict[str, list[_Entry]] = defaultdict(list)
        self.grid: dict[tuple[int, int], list[_Radius]] = defaultdict(list)
        # (watch id, field, term) the gazetteer or alias table lacks: matched by name only.
        self.unresolved: list[tuple[str, str, str]] = []
        for w in self.watches.values():
            self._add(w)

    # ----------------------------------------------------------------------------- building
    def _add(self, w: Watch) -> None:
        r = self.resolver
        for term in w.places:
            wp = r.place_term(term)
            if wp.place is None:
                self.unresolved.append((w.id, "places", str(term)))
            label = _label(term, wp)
            for key in wp.keys:
                self.by_key[key].append(_Entry(w.id, "place", label, wp.how))
        for field, kind in (("actors", "actor"), ("sources", "source")):
            for term in getattr(w, field):
                keys, how = r.actor_keys(term)
                if how == "name as written":
                    self.unresolved.append((w.id, field, str(term)))
                for key in keys:
                    self.by_key[key].append(_Entry(w.id, kind, str(term), how))
        if w.near:
            wp = r.place_term(w.near["place"])
            if wp.place is None or wp.place.lat is None or wp.place.lon is None:
                self.unresolved.append((w.id, "near.place", str(w.near["place"])))
                return
            rad = _Radius(w.id, wp.place.name, wp.place.lat, wp.place.lon, float(w.near["km"]))
            for cell in _cells_within(rad.lat, rad.lon, rad.km):
                self.grid[cell].append(rad)

    # ----------------------------------------------------------------------------- matching
    def match(self, claim: model.Claim) -> list[Match]:
        out: dict[tuple, Match] = {}

        def emit(m: Match) -> None:
            # One match per watch, kind and span: the first key tried (the most specific:
            # the entity id before containing areas and written names) gives the reason.
            where = tuple(m.span) if m.span else m.entity_key
            out.setdefault((m.watch_id, m.kind, where), m)

        for p in claim.places:
            for key in self.resolver.claim_place_keys(p.place_id, p.text):
                for e in self.by_key.get(key, ()):
                    if e.kind == "place":
                        emit(Match(e.watch_id, "place", key, p.text, p.span, _place_reason(p, e, key)))
            self._match_near(p, emit)

        for a in claim.actors:
            keys = ([a.actor_id] if a.actor_id else []) + _name_keys(a.text)
            for key in keys:
                for e in self.by_key.get(key, ()):
                    if e.kind == "actor":
                        emit(
                            Match(
                                e.watch_id,
                                "actor",
                                key,
                                a.text,
                                a.span,
                                f"actor {a.text} matched watch actor {e.label} ({a.matched or e.how})",
                            )
                        )

        src = claim.source
        src_keys = [src.actor_id] if src.actor_id else []
        for name in (src.name, src.text):
            if name:
                src_keys += [k for k in _name_keys(name) + self.resolver.actor_keys(name)[0] if k not in src_keys]
        shown = src.name or src.text
        for key in src_keys:
            for e in self.by_key.get(key, ()):
                # An actor watch also fires when the actor is the one making the claim.
                emit(
                    Match(
                        e.watch_id,
                        e.kind if e.kind == "source" else "actor",
                        key,
                        src.text,
                        src.span,
                        f"source {shown} matched watch "
                        f"{'source' if e.kind == 'source' else 'actor'} {e.label}"
                        f" ({e.how})",
                    )
                )
        return sorted(out.values(), key=lambda m: (m.watch_id, m.span or (0, 0), m.kind))

    def _match_near(self, p: model.PlaceRef, emit) -> None:
        if p.lat is None or p.lon is None or p.feature in ("A.PCLI", "A.ADM1", "region"):
            return
        for rad in self.grid.get(_cell(p.lat, p.lon), ()):
            d = haversine_km(rad.lat, rad.lon, p.lat, p.lon)
            if d <= rad.km:
                emit(
                    Match(
                        rad.watch_id,
                        "near",
                        p.place_id or f"placename:{name_key(p.text)}",
                        p.text,
                        p.span,
                        f"within {rad.km:g} km of {rad.label}: {p.name or p.text}, {d:.0f} km",
                    )
                )

    def __len__(self) -> int:
        return len(self.watches)


def _name_keys(text: str) -> list[str]:
    """Fallback keys of a name no alias table knows: as written, and its last word (a watch on
    "Trehubov" fires on "Viktor Trehubov")."""
    key = name_key(text)
    keys = [f"name:{key}"]
    if " " in key and text[:1].isupper():
        keys.append(f"name:{key.rsplit(' ', 1)[1]}")
    return keys


def _label(term, wp) -> str:
    """The watch's term as its author wrote it; a GeoNames id shows the place name too."""
    if wp.place is not None and wp.how in ("GeoNames id", "place id"):
        return f"{wp.place.name} ({wp.place.place_id})"
    return str(term)


def _place_reason(p: model.PlaceRef, e: _Entry, key: str) -> str:
    head = f"place {p.text} matched watch place {e.label}"
    if key.startswith("in:"):
        return f"place {p.text} ({p.name}) lies in watch place {e.label}"
    if key.startswith("placename:"):
        return f"{head} (same name as written)"
    detail = p.matched or ""
    if detail.startswith("historical name"):
        return f"{head} ({detail.split(';')[0]})"
    if p.name and name_key(p.text) != name_key(p.name):
        return f"{head} ({p.text} is {detail.split(';')[0] or 'a name'} of {p.name})"
    return head


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return int(math.floor(lat / _CELL_DEG)), int(math.floor(lon / _CELL_DEG)) % int(360 / _CELL_DEG)


def _cells_within(lat: float, lon: float, km: float) -> set[tuple[int, int]]:
    """Grid cells overlapping the circle's bounding box."""
    dlat = km / 111.0
    dlon = km / max(1e-6, 111.0 * math.cos(math.radians(min(89.0, abs(lat) + dlat))))
    cells = set()
    lat_lo, lat_hi = math.floor((lat - dlat) / _CELL_DEG), math.floor((lat + dlat) / _CELL_DEG)
    lon_lo, lon_hi = math.floor((lon - dlon) / _CELL_DEG), math.floor((lon + dlon) / _CELL_DEG)
    n_lon = int(360 / _CELL_DEG)
    for a in range(lat_lo, lat_hi + 1):
        for b in range(lon_lo, min(lon_hi, lon_lo + n_lon - 1) + 1):
            cells.add((a, b % n_lon))
    return cells


def benchmark_index_and_claim(gazetteer, n_watches: int) -> tuple[WatchIndex, model.Claim]:
    """A realistic load for timing (used by the tests and bench/lgl_resolution.py): one watch
    per Ukrainian town by GeoNames id, every third one also a 10-60 km radius, every seventh
    also an actor; and a claim about two towns and the AFU."""
    pids = [
        r[0]
        for r in gazetteer.db.execute(
            "SELECT pid FROM places WHERE country = 'UA' AND feature LIKE 'P.%' ORDER BY population DESC LIMIT ?",
            (n_watches,),
        )
    ]
    actors = ["AFU", "Kimakovsky", "Russian forces", "Putin"]
    watches = [
        Watch(
            f"w{n}",
            places=[f"geo:{pid}"],
            actors=[actors[n % len(actors)]] if n % 7 == 0 else [],
            near={"place": f"geo:{pid}", "km": 10 + n % 50} if n % 3 == 0 else None,
        )
        for n, pid in enumerate(pids)
    ]
    idx = WatchIndex(watches)
    places = []
    for pid, text, span in ((704422, "Krasnoarmeyskoye", (0, 16)), (705104, "Konstantinovka", (21, 35))):
        p = gazetteer.place(pid)
        places.append(
            model.PlaceRef(
                text=text,
                name=p.name,
                geonameid=pid,
                country=p.country,
                admin1=p.admin1,
                lat=p.lat,
                lon=p.lon,
                span=span,
                place_id=p.place_id,
                feature=p.feature,
                matched="name",
            )
        )
    actor = model.ActorRef(
        text="AFU",
        name="Armed Forces of Ukraine",
        type="force",
        span=(40, 43),
        actor_id="actor:armed-forces-of-ukraine",
        matched="alias AFU",
    )
    claim = model.Claim(
        source=model.Source(text="he"),
        cue=model.Cue(text="said"),
        content=model.Content(text="x", span=(0, 50)),
        places=places,
        actors=[actor],
    )
    return idx, claim
