"""What every term of a watchlist resolves to, and what a term that resolves to nothing may have
meant: ``claimwatch watches check``, and the warnings ``watches push`` and ``run`` print.

A place term resolves through the gazetteer (any spelling, GeoNames id, renaming); the report
says which place (GeoNames id, name, country, region), how (its name, an alternate or former
name, a GeoNames id) and whether the spelling only matched because name keys fold it: doubled
letters collapse in a key, so "Bakhmutt" finds Bakhmut, and the report calls that an
approximate match rather than letting it pass silently.

A term that resolves to nothing gets "did you mean …": the nearest gazetteer names and actor
aliases by similarity of their name keys. Gazetteer candidates come from one range scan of the
names table's primary key (same first letters, a length window), so a check costs a few
milliseconds however large the gazetteer is.

An actor or source term the alias table lacks still matches that name as written; it counts as
unresolved only when it is close to a known alias ("Prigozin" for Prigozhin), i.e. most likely
a misspelling.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from claimwatch.resolve.gazetteer import (
    KIND_ABBREVIATION,
    KIND_ALTERNATE,
    KIND_DEMONYM,
    KIND_FORMER,
    KIND_NAME,
    Place,
)
from claimwatch.resolve.normalize import name_key, romanise
from claimwatch.resolve.resolver import Resolver, get_resolver
from claimwatch.watch.watchlist import Watch

KIND_LABELS = {
    KIND_NAME: "its name",
    KIND_ALTERNATE: "an alternate name",
    KIND_FORMER: "a former name",
    KIND_ABBREVIATION: "an abbreviation",
    KIND_DEMONYM: "a demonym",
}
SUGGESTIONS = 3
_SIMILAR = 0.75  # difflib ratio over name keys: "pokrovks"/"pokrovsk" 0.88, "bahmut"/"donetsk" 0.31
_NON_WORD = re.compile(r"[^a-z0-9]+")
_DOUBLED = re.compile(r"([a-z])\1")


@dataclass
class TermReport:
    watch_id: str
    field: str  # places | actors | sources | near.place
    term: str
    resolved: bool
    detail: str  # what it resolved to, or why not
    approximate: bool = False  # matched only through spelling folds a typo also passes
    as_written: bool = False  # an actor the alias table lacks: matches the name as written only
    suggestions: list[str] = dataclasses.field(default_factory=list)  # `field` is a column here

    @property
    def status(self) -> str:
        if not self.resolved:
            return "no match"
        return "approximate" if self.approximate else "as written" if self.as_written else "ok"

    def line(self) -> str:
        head = f"{self.watch_id} {self.field} {self.term!r}: "
        if self.resolved:
            return head + ("approximate match: " if self.approximate else "") + self.detail
        tail = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        return head + f"no match ({self.detail}){tail}"


def _spelling(text: str) -> str:
    """A name as written, minus case, diacritics and punctuation: no transliteration folds."""
    return _NON_WORD.sub(" ", romanise(text)).strip()


def _doubles(text: str) -> list:
    return _DOUBLED.findall(_spelling(text))


class WatchChecker:
    def __init__(self, resolver: Resolver | None = None):
        self.resolver = resolver or get_resolver()

    # ------------------------------------------------------------------------------ places
    def place(self, watch_id: str, field_name: str, term) -> TermReport:
        wp = self.resolver.place_term(term)
        if wp.place is None:
            return TermReport(
                watch_id,
                field_name,
                str(term),
                False,
                "not in the gazetteer",
                suggestions=self.place_suggestions(str(term)),
            )
        place = wp.place
        what = self.describe_place(place)
        if wp.how in ("GeoNames id", "place id"):
            return TermReport(watch_id, field_name, str(term), True, f"{what}, by {wp.how}")
        if wp.how.startswith("qualified by"):
            return TermReport(watch_id, field_name, str(term), True, f"{what}, {wp.how}")
        how, approximate = self._how_name_matched(str(term), place)
        return TermReport(watch_id, field_name, str(term), True, f"{what}, {how}", approximate)

    def describe_place(self, place: Place) -> str:
        g = self.resolver.gazetteer
        where = ", ".join(x for x in (g.admin1_name(place.country, place.admin1), place.country) if x)
        ident = f"GeoNames {place.geonameid}" if place.geonameid else place.place_id
        return f"{place.name} ({ident}{', ' + where if where else ''})"

    def _how_name_matched(self, term: str, place: Place) -> tuple[str, bool]:
        from claimwatch.resolve.places import mention_keys

        g = self.resolver.gazetteer
        kind, rule = None, ""
        for key, key_rule, _penalty in mention_keys(term):
            kinds = [c.kind for c in g.lookup(key) if c.place.pid == place.pid]
            if kinds:
                kind, rule = min(kinds), key_rule
                break
        known = [place.name, *g.former_names(place.pid)]
        written = _spelling(term)
        exact = next((k for k in known if _spelling(k) == written), None)
        label = KIND_LABELS.get(kind, "a name") if kind is not None else "a name"
        if exact is not None:
            return ("matched " + ("its name" if exact == place.name else f"its former name {exact}")), False
        if rule:  # an adjectival or inflected form ("Krasnoarmeyskoye", "Покровском")
            return f"matched {label} through its {rule} (approximate spelling)", True
        if kind in (KIND_NAME, KIND_FORMER):
            closest = max(known, key=lambda k: difflib.SequenceMatcher(None, _spelling(k), written).ratio())
            if _doubles(term) != _doubles(closest):
                return (
                    f"matched {label} {closest!r} only because doubled letters are ignored "
                    f"(spelled {term!r}); write {closest!r}"
                ), True
            return f"matched {label} {closest!r} as a transliteration variant", False
        return f"matched {label} (a spelling GeoNames lists)", False

    def place_suggestions(self, term: str, limit: int = SUGGESTIONS) -> list[str]:
        """The nearest gazetteer names, biggest place first among equally close keys."""
        key = name_key(term)
        if len(key) < 3:
            return []
        g = self.resolver.gazetteer
        prefix = key[:2]
        rows = g.db.execute(
            "SELECT DISTINCT key FROM names WHERE key >= ? AND key < ? AND length(key) BETWEEN ? AND ?",
            (prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1), len(key) - 2, len(key) + 2),
        ).fetchall()
        keys = difflib.get_close_matches(key, [r[0] for r in rows], n=limit * 2, cutoff=_SIMILAR)
        out: list[str] = []
        for k in keys:
            cands = [c for c in g.lookup(k) if c.kind in (KIND_NAME, KIND_ALTERNATE, KIND_FORMER)]
            if not cands:
                continue
            best = max(cands, key=lambda c: (c.kind == KIND_NAME, c.place.population))
            label = f"{best.place.name} ({best.place.country or '?'}, {best.place.place_id})"
            if label not in out:
                out.append(label)
        return out[:limit]

    # ------------------------------------------------------------------------------ actors
    def actor(self, watch_id: str, field_name: str, term: str) -> TermReport:
        from claimwatch.resolve.actors import get_actor_table, resolve_actor

        keys, how = self.resolver.actor_keys(term)
        if how == "actor id":
            actor = get_actor_table().actors.get(term.strip())
            detail = f"{actor.name} ({actor.actor_id})" if actor else f"{term} (an id no alias names)"
            return TermReport(watch_id, field_name, term, True, detail + ", by id")
        actor = resolve_actor(term)
        if actor is not None:
            exact = name_key(term) == name_key(actor.name)
            detail = f"{actor.name} ({actor.actor_id}, {actor.type})" + ("" if exact else f", {how}")
            return TermReport(watch_id, field_name, term, True, detail)
        near = self.actor_suggestions(term)
        if near:
            return TermReport(watch_id, field_name, term, False, "no actor has this alias", suggestions=near)
        return TermReport(
            watch_id,
            field_name,
            term,
            True,
            "not in the actor table: matches this name as written only",
            as_written=True,
        )

    def actor_suggestions(self, term: str, limit: int = SUGGESTIONS) -> list[str]:
        from claimwatch.resolve.actors import get_actor_table

        table = get_actor_table()
        keys = difflib.get_close_matches(name_key(term), list(table.by_key), n=limit * 2, cutoff=_SIMILAR)
        out: list[str] = []
        for k in keys:
            entry = table.by_key[k][0]
            label = (
                entry.text
                if name_key(entry.text) == name_key(entry.actor.name)
                else f"{entry.text} ({entry.actor.name})"
            )
            if label not in out:
                out.append(label)
        return out[:limit]

    # ------------------------------------------------------------------------------ watches
    def check(self, watches: Iterable[Watch]) -> list[TermReport]:
        reports = []
        for w in watches:
            reports += [self.place(w.id, "places", t) for t in w.places]
            reports += [self.actor(w.id, "actors", str(t)) for t in w.actors]
            reports += [self.actor(w.id, "sources", str(t)) for t in w.sources]
            if w.near:
                report = self.place(w.id, "near.place", w.near["place"])
                if report.resolved:
                    report.detail += f", radius {w.near['km']:g} km"
                reports.append(report)
        return reports


def check_watches(watches: Iterable[Watch], resolver: Resolver | None = None) -> list[TermReport]:
    return WatchChecker(resolver).check(watches)


def problems(reports: Iterable[TermReport]) -> list[TermReport]:
    """The reports a push or run warns about: unresolved, approximate and as-written terms."""
    return [r for r in reports if r.status != "ok"]


def format_check(reports: list[TermReport]) -> str:
    lines = [r.line() for r in reports]
    counts = {s: sum(r.status == s for r in reports) for s in ("ok", "approximate", "as written", "no match")}
    lines.append(
        f"{len(reports)} term(s): {counts['ok']} resolved, {counts['approximate']} approximate, "
        f"{counts['as written']} matched as written only, {counts['no match']} unresolved"
    )
    return "\n".join(lines)
