"""The data model shared by every stage.

Spans are character offsets ``[start, end)`` into the article text exactly as it was given
to extraction, so any claim can be shown in context and re-scored later.

`Claim.to_dict()` is the output contract of ``claimwatch extract --json`` and the shape stored
in DynamoDB (floats become Decimals only in the store layer).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

Span = tuple[int, int]  # (start, end): a plain tuple, so it serialises as a JSON array


def stable_id(*parts: object, length: int = 16) -> str:
    """A short, stable hex id from its parts (sha256; order matters)."""
    h = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:length]


def _span(value: Any) -> list | None:
    return None if value is None else [int(value[0]), int(value[1])]


@dataclass
class Source:
    text: str  # the mention as written: "He", "Kimakovsky", "a source familiar with the matter"
    name: str | None = None  # resolved name: "Kimakovsky"
    role: str | None = None  # "adviser to the head of the DPR"
    span: Span | None = None
    type: str = "person"  # person | group | body | anonymous | unknown
    actor_id: str | None = None  # canonical actor id when the name resolves to one
    # False when the mention ("she", "the ministry", "the letter") has no compatible antecedent:
    # the name is then left empty rather than guessed
    resolved: bool = True


@dataclass
class Cue:
    text: str  # "noted", "according to"
    span: Span | None = None
    lemma: str | None = None  # "note", "according to"


@dataclass
class Content:
    text: str
    span: Span | None = None


@dataclass
class PlaceRef:
    text: str  # as written: "Krasnoarmeyskoye"
    name: str | None = None  # canonical: "Pokrovsk"
    geonameid: int | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    span: Span | None = None
    place_id: str | None = None  # "geo:704422", or "place:donbas" for curated regions
    feature: str | None = None  # GeoNames feature class/code: "P.PPL", "A.ADM1", "region"
    matched: str | None = None  # the alias or rule that matched


@dataclass
class ActorRef:
    text: str  # as written: "AFU"
    name: str | None = None  # canonical: "Armed Forces of Ukraine"
    type: str | None = None  # person | force | government | party | org | group
    span: Span | None = None
    actor_id: str | None = None  # "actor:armed-forces-of-ukraine"
    matched: str | None = None


def text_order(ref: PlaceRef | ActorRef) -> tuple[int, int]:
    """A sort key: mentions in text order, the longer first where two start together."""
    return (ref.span[0], -ref.span[1]) if ref.span else (0, 0)


@dataclass
class Provenance:
    article_id: str | None = None
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: str | None = None  # ISO 8601
    feed_id: str | None = None


@dataclass
class Claim:
    source: Source
    cue: Cue
    content: Content
    places: list[PlaceRef] = field(default_factory=list)
    actors: list[ActorRef] = field(default_factory=list)
    date: str | None = None  # YYYY-MM-DD the claim names, resolved against publication
    stance: str = "assert"  # assert | deny
    hedged: bool = False  # "reportedly", "allegedly", "is said to"
    parent_id: str | None = None  # nested attribution: the claim this one sits inside
    sentence_span: Span | None = None
    provenance: Provenance = field(default_factory=Provenance)
    id: str | None = None
    # Filled by novelty: which cluster of restatements this claim belongs to.
    cluster_id: str | None = None
    fingerprint: str | None = None

    def ensure_id(self, article_key: str) -> str:
        """Claim id = hash(article, content span): replays of the same article give the same id."""
        if not self.id:
            span = self.content.span or (None, None)
            self.id = stable_id(article_key, span[0], span[1], self.cue.span and self.cue.span[0])
        return self.id

    def entity_keys(self) -> set[str]:
        """Every key a watch can be indexed by: places, actors and the source."""
        keys: set[str] = {p.place_id for p in self.places if p.place_id}
        keys |= {a.actor_id for a in self.actors if a.actor_id}
        if self.source.actor_id:
            keys.add(self.source.actor_id)
        return keys

    def to_dict(self) -> dict:
        d = {
            "id": self.id,
            "source": {**asdict(self.source), "span": _span(self.source.span)},
            "cue": {**asdict(self.cue), "span": _span(self.cue.span)},
            "content": {**asdict(self.content), "span": _span(self.content.span)},
            "places": [{**asdict(p), "span": _span(p.span)} for p in self.places],
            "actors": [{**asdict(a), "span": _span(a.span)} for a in self.actors],
            "date": self.date,
            "stance": self.stance,
            "hedged": self.hedged,
            "parent_id": self.parent_id,
            "sentence_span": _span(self.sentence_span),
            "provenance": asdict(self.provenance),
            "cluster_id": self.cluster_id,
            "fingerprint": self.fingerprint,
        }
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Claim:
        def tup(v: Any) -> Span | None:
            return None if v is None else (int(v[0]), int(v[1]))

        def sub(klass, v):
            v = dict(v or {})
            if "span" in v:
                v["span"] = tup(v["span"])
            known = klass.__dataclass_fields__
            return klass(**{k: val for k, val in v.items() if k in known})

        return cls(
            id=d.get("id"),
            source=sub(Source, d["source"]),
            cue=sub(Cue, d["cue"]),
            content=sub(Content, d["content"]),
            places=[sub(PlaceRef, p) for p in d.get("places") or []],
            actors=[sub(ActorRef, a) for a in d.get("actors") or []],
            date=d.get("date"),
            stance=d.get("stance", "assert"),
            hedged=bool(d.get("hedged", False)),
            parent_id=d.get("parent_id"),
            sentence_span=tup(d.get("sentence_span")),
            provenance=sub(Provenance, d.get("provenance")),
            cluster_id=d.get("cluster_id"),
            fingerprint=d.get("fingerprint"),
        )


@dataclass
class Article:
    """One article to extract: what the fetch stage puts on the articles queue."""

    article_id: str  # hash of the canonical URL (or GUID when there is no link)
    url: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None  # ISO 8601
    feed_id: str | None = None
    guid: str | None = None
    content: str | None = None  # the entry's full content (HTML or text), if the feed has it
    summary: str | None = None
    content_hash: str | None = None  # hash of the normalised text: edits and syndicated copies

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Article:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in known})

    def provenance(self) -> Provenance:
        return Provenance(
            article_id=self.article_id,
            url=self.canonical_url or self.url,
            outlet=self.outlet,
            title=self.title,
            published=self.published,
            feed_id=self.feed_id,
        )
