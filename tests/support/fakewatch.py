"""A tiny stand-in with the WatchIndex contract (``WatchIndex(watches).match(claim) -> [Match]``):
a watch matches a claim when one of the claim's places or actors has a watched id."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Watch:
    id: str
    places: tuple = ()
    actors: tuple = ()
    delivery: str = "instant"
    corroborated: int | None = None


@dataclass
class Match:
    watch_id: str
    kind: str
    entity_key: str
    text: str
    span: tuple | None
    reason: str


class FakeWatchIndex:
    def __init__(self, watches):
        self.watches = list(watches)

    def match(self, claim) -> list:
        out = []
        for w in self.watches:
            for p in claim.places:
                if p.place_id in w.places:
                    out.append(
                        Match(
                            w.id,
                            "place",
                            p.place_id,
                            p.text,
                            p.span,
                            f'place {p.place_id} matched "{p.text}" (alias of {p.name})',
                        )
                    )
            for a in claim.actors:
                if a.actor_id in w.actors:
                    out.append(
                        Match(w.id, "actor", a.actor_id, a.text, a.span, f'actor {a.actor_id} matched "{a.text}"')
                    )
        return out
