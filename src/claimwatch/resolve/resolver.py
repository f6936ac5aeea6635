"""Watch terms -> entity keys: a place in any spelling or by GeoNames id, an actor by any alias.

Entity keys are what the watch index is keyed by and what a claim's places and actors produce:
    geo:704422 / place:donbas   the place itself
    in:UA / in:UA.05            "somewhere inside Ukraine / Donetsk Oblast" (country, admin1 and
                                curated-region watches are indexed under these)
    actor:... / person:... / org:...   actors
    placename:<key> / name:<key>       fallbacks for terms the gazetteer or alias table lacks
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from claimwatch.resolve.actors import resolve_actor, slug
from claimwatch.resolve.gazetteer import Gazetteer, Place, get_gazetteer
from claimwatch.resolve.normalize import name_key
from claimwatch.resolve.places import resolve_toponym, resolve_toponyms

_QUALIFIED = re.compile(r"^\s*(?P<name>[^,(]+?)\s*(?:,\s*(?P<q1>.+?)|\((?P<q2>[^)]+)\))\s*$")


@dataclass(frozen=True)
class WatchPlace:
    term: str
    place: Place | None
    keys: frozenset  # entity keys a claim place must produce to match
    how: str  # "name", "GeoNames id", "qualified by Russia", "unresolved: name match only"


class Resolver:
    def __init__(self, gazetteer: Gazetteer | None = None):
        self._gazetteer = gazetteer
        self.place_term = lru_cache(maxsize=8192)(self._place_term)
        self.place_info = lru_cache(maxsize=65536)(self._place_info)

    @property
    def gazetteer(self) -> Gazetteer:
        return self._gazetteer or get_gazetteer()

    # ----------------------------------------------------------------------------- places
    def resolve_place(self, term: str | int) -> tuple[Place | None, str]:
        """A place from "Pokrovsk", "Красноармейск", 704422, "geo:704422", "place:donbas",
        "Donetsk, Russia" or "Donetsk (Ukraine)"."""
        g = self.gazetteer
        text = str(term).strip()
        if isinstance(term, int) or re.fullmatch(r"(geo:)?\d+|place:[\w-]+", text):
            return g.by_place_id(text), "GeoNames id" if not text.startswith("place:") else "place id"
        m = _QUALIFIED.match(text)
        if m:
            name, qualifier = m.group("name"), m.group("q1") or m.group("q2")
            joined = f"{name}, {qualifier}"
            spans = [(0, len(name)), (len(name) + 2, len(joined))]
            choice = resolve_toponyms([name, qualifier], text=joined, spans=spans, gazetteer=g)[0]
            if choice:
                return choice[0], f"qualified by {qualifier}"
        place = resolve_toponym(text, gazetteer=g)
        return place, "name"

    def _place_term(self, term: str | int) -> WatchPlace:
        place, how = self.resolve_place(term)
        if place is None:
            return WatchPlace(
                str(term),
                None,
                frozenset({f"placename:{name_key(str(term))}"}),
                "unresolved: matches the name as written only",
            )
        return WatchPlace(str(term), place, frozenset(self.watch_keys(place)), how)

    def watch_keys(self, place: Place) -> set[str]:
        """Keys a watch on `place` is indexed under: the place, the areas it covers, and for a
        front-line direction the towns it is named after."""
        keys = {place.place_id}
        if place.feature == "A.PCLI":
            keys.add(f"in:{place.country}")
        for country, admin1 in self.gazetteer.covers(place.pid):
            keys.add(f"in:{country}.{admin1}" if admin1 else f"in:{country}")
        for member in self.gazetteer.members(place.pid):
            p = self.gazetteer.place(member)
            if p:
                keys.add(p.place_id)
        return keys

    def _place_info(self, place_id: str) -> Place | None:
        try:
            return self.gazetteer.by_place_id(place_id)
        except ValueError:
            return None

    def claim_place_keys(self, place_id: str | None, text: str) -> list[str]:
        """Keys a claim's place produces: itself, then the areas containing it."""
        keys = [f"placename:{name_key(text)}"]
        if not place_id:
            return keys
        keys.insert(0, place_id)
        place = self.place_info(place_id)
        if place and place.country and place.feature not in ("A.PCLI",):
            keys.append(f"in:{place.country}")
            if place.admin1:
                keys.append(f"in:{place.country}.{place.admin1}")
        return keys

    # ----------------------------------------------------------------------------- actors
    def actor_keys(self, term: str) -> tuple[list[str], str]:
        """(entity keys, how) for an actor/source term in any alias or spelling. A name the
        alias table lacks gets the ids find_actors gives such a name (person or organisation)
        and its written form."""
        text = str(term).strip()
        if re.match(r"^(actor|person|org):[\w-]+$", text):
            return [text], "actor id"
        actor = resolve_actor(text)
        if actor:
            return [actor.actor_id], f"alias of {actor.name}"
        keys = [f"name:{name_key(text)}"]
        words = text.split()
        if words and all(w[:1].isupper() for w in words):
            keys = [f"person:{slug(text)}", f"org:{slug(text)}"] + keys
            return keys, "name as written"
        return keys, "name as written"


_default: Resolver | None = None


def get_resolver() -> Resolver:
    global _default
    if _default is None:
        _default = Resolver()
    return _default
