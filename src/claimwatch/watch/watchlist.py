"""Watchlists: YAML files of watches.

    watches:
      - id: pokrovsk-front
        places: [Pokrovsk, Myrnohrad]       # any spelling, or a GeoNames id (704422, geo:704422)
        actors: [Kimakovsky]                # any alias; also fires when the actor is the source
        sources: [Putin]                    # speakers only
        near: {place: Pokrovsk, km: 30}     # any place within the radius
        delivery: instant                   # instant | digest
        corroborated: 2                     # alert once N outlets carry the claim

Loading validates the shape and names the watch and field in every error; resolving the terms
to places and actors happens in the matcher, so a watchlist loads without the gazetteer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

DELIVERIES = ("instant", "digest")
_FIELDS = ("id", "places", "actors", "sources", "near", "delivery", "corroborated")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")


class WatchlistError(ValueError):
    pass


@dataclass
class Watch:
    id: str
    places: list = field(default_factory=list)  # names or GeoNames ids
    actors: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    near: dict | None = None  # {"place": "Pokrovsk", "km": 30.0}
    delivery: str = "instant"
    corroborated: int | None = None

    def to_dict(self) -> dict:
        d: dict[str, Any] = {
            "id": self.id,
            "places": list(self.places),
            "actors": list(self.actors),
            "sources": list(self.sources),
            "delivery": self.delivery,
        }
        if self.near is not None:
            d["near"] = dict(self.near)
        if self.corroborated is not None:
            d["corroborated"] = self.corroborated
        return d

    @classmethod
    def from_dict(cls, d: dict, position: int | None = None) -> Watch:
        where = _where(d, position)
        if not isinstance(d, dict):
            raise WatchlistError(f"{where}: must be a mapping with an 'id', got {type(d).__name__}")
        unknown = sorted(set(d) - set(_FIELDS))
        if unknown:
            raise WatchlistError(
                f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(_FIELDS)}"
            )
        wid = d.get("id")
        if not isinstance(wid, str) or not _ID.match(wid):
            raise WatchlistError(
                f"{where}: field 'id' must be a short name of letters, digits, '-', '_', '.' or ':', got {wid!r}"
            )
        places = _terms(d, "places", where, allow_int=True)
        actors = _terms(d, "actors", where)
        sources = _terms(d, "sources", where)
        near = _near(d.get("near"), where)
        delivery = d.get("delivery", "instant")
        if delivery not in DELIVERIES:
            raise WatchlistError(f"{where}: field 'delivery' must be one of {', '.join(DELIVERIES)}, got {delivery!r}")
        corroborated = _plain(d.get("corroborated"))
        if corroborated is not None and (
            isinstance(corroborated, bool) or not isinstance(corroborated, int) or corroborated < 1
        ):
            raise WatchlistError(
                f"{where}: field 'corroborated' must be a whole number >= 1 (outlets), got {corroborated!r}"
            )
        if not (places or actors or sources or near):
            raise WatchlistError(
                f"{where}: names nothing to watch: give at least one of 'places', 'actors', 'sources' or 'near'"
            )
        return cls(wid, places, actors, sources, near, delivery, corroborated)


def _plain(value: Any) -> Any:
    """DynamoDB gives numbers back as Decimal: whole ones become int, others float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _where(d: Any, position: int | None) -> str:
    wid = d.get("id") if isinstance(d, dict) else None
    pos = f" (#{position + 1})" if position is not None else ""
    return f"watch {wid!r}{pos}" if wid else f"watch #{(position or 0) + 1}"


def _terms(d: dict, name: str, where: str, allow_int: bool = False) -> list:
    value = d.get(name)
    if value is None:
        return []
    value = _plain(value)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list):
        raise WatchlistError(f"{where}: field '{name}' must be a list of names, got {type(value).__name__}")
    out = []
    for n, item in enumerate(value):
        item = _plain(item)
        ok = (isinstance(item, str) and item.strip()) or (
            allow_int and isinstance(item, int) and not isinstance(item, bool) and item > 0
        )
        if not ok:
            kind = "a name or a GeoNames id" if allow_int else "a name"
            raise WatchlistError(f"{where}: field '{name}[{n}]' must be {kind}, got {item!r}")
        out.append(item.strip() if isinstance(item, str) else item)
    return out


def _near(value: Any, where: str) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise WatchlistError(f"{where}: field 'near' must be a mapping like {{place: Pokrovsk, km: 30}}, got {value!r}")
    unknown = sorted(set(value) - {"place", "km"})
    if unknown:
        raise WatchlistError(f"{where}: field 'near' has unknown key(s) {unknown}; use 'place' and 'km'")
    place = _plain(value.get("place"))
    if not ((isinstance(place, str) and place.strip()) or (isinstance(place, int) and not isinstance(place, bool))):
        raise WatchlistError(f"{where}: field 'near.place' must be a place name or GeoNames id, got {place!r}")
    km = _plain(value.get("km"))
    if isinstance(km, bool) or not isinstance(km, (int, float)) or not 0 < km <= 2000:
        raise WatchlistError(f"{where}: field 'near.km' must be a number of kilometres in (0, 2000], got {km!r}")
    return {"place": place.strip() if isinstance(place, str) else place, "km": float(km)}


def load_watchlist(path_or_text: str | Path | dict | list) -> list[Watch]:
    """Watches from a YAML file path, YAML text, or already-parsed data."""
    source = "watchlist"
    data: Any = path_or_text
    looks_like_path = (
        isinstance(path_or_text, str)
        and "\n" not in path_or_text
        and (path_or_text.strip().endswith((".yaml", ".yml", ".json")) or Path(path_or_text).is_file())
    )
    if isinstance(path_or_text, (str, Path)) and (isinstance(path_or_text, Path) or looks_like_path):
        path = Path(path_or_text)
        if not path.exists():
            raise WatchlistError(f"watchlist file not found: {path}")
        if path.is_dir():
            raise WatchlistError(f"{path} is a directory, not a watchlist file")
        source = str(path)
        try:
            data = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise WatchlistError(f"{source}: not a UTF-8 text file ({e.reason} at byte {e.start})") from None
    if isinstance(data, str):
        try:
            import yaml  # here, not at import: the functions read watches from DynamoDB

            data = yaml.safe_load(data)
        except yaml.YAMLError as e:
            raise WatchlistError(f"{source}: not valid YAML: {e}") from e
    if data is None:
        return []
    if isinstance(data, dict):
        if "watches" not in data:
            raise WatchlistError(f"{source}: expected a top-level 'watches:' list")
        data = data["watches"] or []
    if not isinstance(data, list):
        raise WatchlistError(f"{source}: 'watches' must be a list, got {type(data).__name__}")
    watches: list[Watch] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(data):
        try:
            w = Watch.from_dict(item, n)
        except WatchlistError as e:
            raise WatchlistError(f"{source}: {e}") from None
        if w.id in seen:
            raise WatchlistError(f"{source}: watch {w.id!r} (#{n + 1}) reuses the id of watch #{seen[w.id] + 1}")
        seen[w.id] = n
        watches.append(w)
    return watches


@dataclass
class WatchDiff:
    """What pushing a watchlist changes in the deployed watches."""

    deployed: int  # how many watches were deployed before
    added: list = field(default_factory=list)  # ids
    changed: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)

    @property
    def removes_most(self) -> bool:
        """More than half of the deployed watches would go: a truncated or wrong file, likely."""
        return len(self.removed) * 2 > self.deployed

    def format(self) -> str:
        lines = [
            f"{name}: {', '.join(ids) if ids else '-'}"
            for name, ids in (("added", self.added), ("changed", self.changed), ("removed", self.removed))
        ]
        return "\n".join(lines + [f"unchanged: {len(self.unchanged)}"])


def diff_watches(deployed: list[Watch], wanted: list[Watch], keep_others: bool = False) -> WatchDiff:
    """The diff from the deployed watches to the wanted ones (ids compared, then contents)."""
    before = {w.id: w.to_dict() for w in deployed}
    diff = WatchDiff(deployed=len(before))
    for w in wanted:
        old = before.get(w.id)
        (diff.added if old is None else diff.unchanged if old == w.to_dict() else diff.changed).append(w.id)
    if not keep_others:
        keep = {w.id for w in wanted}
        diff.removed = sorted(i for i in before if i not in keep)
    return diff
