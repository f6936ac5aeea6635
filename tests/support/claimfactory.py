"""Build model.Claim objects for tests the way extraction would: every span an offset into the
article text, places and actors carrying their resolved ids. Shared by the novelty, alerts and
integration tests (tests/support is on pytest's pythonpath)."""

from __future__ import annotations

from claimwatch.model import ActorRef, Claim, Content, Cue, PlaceRef, Provenance, Source

PLACES = {  # alias as written -> (place id, canonical name)
    "Pokrovsk": ("geo:704422", "Pokrovsk"),
    "Krasnoarmeyskoye": ("geo:704422", "Pokrovsk"),
    "Krasnoarmeysk": ("geo:704422", "Pokrovsk"),
    "Myrnohrad": ("geo:706448", "Myrnohrad"),
    "Dimitrov": ("geo:706448", "Myrnohrad"),
    "Kostiantynivka": ("geo:704147", "Kostiantynivka"),
    "Konstantinovka": ("geo:704147", "Kostiantynivka"),
    "Bakhmut": ("geo:712451", "Bakhmut"),
    "Artemovsk": ("geo:712451", "Bakhmut"),
    "Kupiansk": ("geo:703845", "Kupiansk"),
    "Kupyansk": ("geo:703845", "Kupiansk"),
    "Odesa": ("geo:698740", "Odesa"),
}
ACTORS = {
    "AFU": "actor:armed-forces-of-ukraine",
    "Armed Forces of Ukraine": "actor:armed-forces-of-ukraine",
    "Ukrainian forces": "actor:armed-forces-of-ukraine",
    "Russian forces": "actor:russian-armed-forces",
    "Russian troops": "actor:russian-armed-forces",
}


def _find(text: str, needle: str, start: int = 0) -> tuple:
    i = text.find(needle, start)
    assert i >= 0, f"{needle!r} not in {text!r}"
    return (i, i + len(needle))


def make_claim(
    sentence: str,
    source: str,
    cue: str,
    content: str,
    *,
    source_name: str | None = None,
    source_actor: str | None = None,
    stance: str = "assert",
    article_id: str = "a1",
    outlet: str = "Outlet One",
    url: str | None = None,
    published: str = "2026-11-20T10:00:00+00:00",
    prefix: str = "",
    claim_id: str | None = None,
    places: dict | None = None,
    actors: dict | None = None,
) -> tuple:
    """A claim whose sentence sits in an article text ``prefix + sentence``; returns (claim, text)."""
    text = prefix + sentence
    base = len(prefix)
    content_span = _find(text, content, base)
    claim = Claim(
        source=Source(text=source, name=source_name or source, span=_find(text, source, base), actor_id=source_actor),
        cue=Cue(text=cue, span=_find(text, cue, base), lemma=cue),
        content=Content(text=content, span=content_span),
        stance=stance,
        sentence_span=(base, len(text)),
        provenance=Provenance(
            article_id=article_id,
            url=url or f"https://news.example/{article_id}",
            outlet=outlet,
            title=f"Story {article_id}",
            published=published,
        ),
    )
    taken: list = []

    def mentions(table):
        # Longest alias first; a shorter alias inside a longer mention is not a second mention.
        for alias in sorted(table, key=len, reverse=True):
            i = text.find(alias, content_span[0], content_span[1])
            if i >= 0 and not any(s <= i < e for s, e in taken):
                taken.append((i, i + len(alias)))
                yield alias, (i, i + len(alias)), table[alias]

    for alias, span, (pid, name) in mentions(PLACES if places is None else places):
        claim.places.append(PlaceRef(text=alias, name=name, span=span, place_id=pid))
    for alias, span, aid in mentions(ACTORS if actors is None else actors):
        claim.actors.append(ActorRef(text=alias, name=alias, span=span, actor_id=aid))
    claim.ensure_id(claim_id or article_id)
    if claim_id:
        claim.id = claim_id
    return claim, text


def general_staff_denial(article_id: str = "a2", outlet: str = "Outlet Two") -> Claim:
    """Ukraine's General Staff denying the Konstantinovka claim of the novelty tests (one claim,
    shared by the in-memory and the DynamoDB cluster-index tests)."""
    denial, _ = make_claim(
        "The General Staff denied that Russian forces had secured all approaches to Konstantinovka.",
        "The General Staff",
        "denied",
        "Russian forces had secured all approaches to Konstantinovka",
        stance="deny",
        article_id=article_id,
        outlet=outlet,
        source_actor="actor:ua-general-staff",
    )
    return denial
