"""Build model.Claim objects for tests the way extraction would: every span an offset into the
article text, places and actors carrying their resolved ids. Shared by the novelty, alerts and
integration tests (their conftests put this directory on sys.path)."""

from __future__ import annotations

from claimwatch.model import ActorRef, Claim, Content, Cue, PlaceRef, Provenance, Source

PLACES = {
    "Pokrovsk": "geo:704422", "Krasnoarmeyskoye": "geo:704422", "Krasnoarmeysk": "geo:704422",
    "Myrnohrad": "geo:706448", "Dimitrov": "geo:706448",
    "Kostiantynivka": "geo:704147", "Konstantinovka": "geo:704147",
    "Bakhmut": "geo:712451", "Artemovsk": "geo:712451",
    "Kupiansk": "geo:703845", "Kupyansk": "geo:703845", "Odesa": "geo:698740",
}
ACTORS = {
    "AFU": "actor:armed-forces-of-ukraine", "Armed Forces of Ukraine": "actor:armed-forces-of-ukraine",
    "Ukrainian forces": "actor:armed-forces-of-ukraine",
    "Russian forces": "actor:russian-armed-forces", "Russian troops": "actor:russian-armed-forces",
}


def _find(text: str, needle: str, start: int = 0) -> tuple:
    i = text.find(needle, start)
    assert i >= 0, f"{needle!r} not in {text!r}"
    return (i, i + len(needle))


def make_claim(sentence: str, source: str, cue: str, content: str, *, source_name: str | None = None,
               source_actor: str | None = None, stance: str = "assert", article_id: str = "a1",
               outlet: str = "Outlet One", url: str | None = None, published: str = "2026-11-20T10:00:00+00:00",
               prefix: str = "", claim_id: str | None = None, places: dict | None = None,
               actors: dict | None = None) -> tuple:
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
        provenance=Provenance(article_id=article_id, url=url or f"https://news.example/{article_id}",
                              outlet=outlet, title=f"Story {article_id}", published=published),
    )
    lookup_places = PLACES if places is None else places
    lookup_actors = ACTORS if actors is None else actors
    for name, pid in lookup_places.items():
        i = text.find(name, content_span[0], content_span[1])
        if i >= 0:
            claim.places.append(PlaceRef(text=name, name=name, span=(i, i + len(name)), place_id=pid))
    for name, aid in lookup_actors.items():
        i = text.find(name, content_span[0], content_span[1])
        if i >= 0:
            claim.actors.append(ActorRef(text=name, name=name, span=(i, i + len(name)), actor_id=aid))
    claim.ensure_id(claim_id or article_id)
    if claim_id:
        claim.id = claim_id
    return claim, text
