"""Text → claims: spaCy once per text, then attribution, places and actors on the same Doc."""

from __future__ import annotations

import datetime as dt
import gc
from typing import Iterable

from spacy.tokens import Doc

from claimwatch import model
from claimwatch.extract.attribution import extract_attributions, link_nested
from claimwatch.extract.docindex import doc_text
from claimwatch.extract.learned import apply as apply_learned
from claimwatch.extract.nlp import get_nlp


def warm_up() -> None:
    """Loads the model, gazetteer and actor table now, e.g. in a Lambda init phase, so that the
    first article does not pay for them. The garbage collector is off while they load (hundreds of
    thousands of objects that live as long as the process: collecting in the middle finds nothing)
    and afterwards they are frozen out of its sight, so later full collections skip them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        analyze("Officials in Kyiv said on Monday that the talks would resume.")
    finally:
        if enabled:
            gc.enable()
    gc.freeze()


def _as_date(published) -> dt.date | None:
    if published is None or published == "":
        return None
    if isinstance(published, dt.datetime):
        return published.date()
    if isinstance(published, dt.date):
        return published
    try:
        return dt.datetime.fromisoformat(str(published).replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(str(published)[:10])
        except ValueError:
            return None


def _resolvers():
    """Place/actor finders from claimwatch.resolve, imported on first use (gazetteer load)."""
    from claimwatch.resolve.actors import find_actors, resolve_source
    from claimwatch.resolve.places import find_places

    return find_places, find_actors, resolve_source


def _inside(span, outer) -> bool:
    return span is not None and outer is not None and outer[0] <= span[0] and span[1] <= outer[1]


def claims_from_doc(doc: Doc, published=None, provenance: model.Provenance | None = None,
                    article_key: str | None = None, with_entities: bool = True) -> list[model.Claim]:
    """Claims of an already parsed Doc, with places/actors attached and ids set.
    ``with_entities=False`` skips place/actor resolution (extraction-only scoring)."""
    pub = _as_date(published if published is not None else (provenance.published if provenance else None))
    provenance = provenance or model.Provenance(published=pub.isoformat() if pub else None)
    key = article_key or provenance.article_id or model.stable_id(doc_text(doc), length=24)
    claims = apply_learned(doc, extract_attributions(doc, pub), pub)  # learned attribution tagger (extract/learned.py)
    find_places, find_actors, resolve_source = _resolvers() if with_entities else (None, None, None)
    places = find_places(doc) if find_places else []
    actors = find_actors(doc) if find_actors else []
    for claim in claims:
        span = claim.content.span
        # the envelope of a split content can hold the cue and source ("X, according to Y, is …"):
        # the source's own mention is not something the claim is about
        own = [s for s in (claim.source.span, claim.cue.span) if s]
        claim.places = [p for p in places if _inside(p.span, span) and not any(_inside(p.span, o) for o in own)]
        claim.actors = [a for a in actors if _inside(a.span, span) and not any(_inside(a.span, o) for o in own)]
        if resolve_source is not None and claim.source.actor_id is None:
            name = claim.source.name or claim.source.text
            claim.source.actor_id = resolve_source(name) if name else None
        claim.provenance = provenance
        claim.ensure_id(key)
    link_nested(claims)
    return claims


def analyze(text: str, published=None, provenance: model.Provenance | None = None,
            with_entities: bool = True) -> list[model.Claim]:
    """Every claim in ``text``; spans are offsets into ``text`` exactly as given."""
    return claims_from_doc(get_nlp()(text), published, provenance, with_entities=with_entities)


def analyze_many(items: Iterable, batch_size: int = 16, n_process: int = 1,
                 with_entities: bool = True) -> list[list[model.Claim]]:
    """Claims of many texts through ``nlp.pipe``. ``items`` are texts or (text, published,
    provenance) tuples; returns one claim list per item, in order."""
    rows = [(it, None, None) if isinstance(it, str) else (tuple(it) + (None, None))[:3] for it in items]
    docs = get_nlp().pipe((r[0] for r in rows), batch_size=batch_size, n_process=n_process)
    return [claims_from_doc(doc, pub, prov, with_entities=with_entities) for doc, (_, pub, prov) in zip(docs, rows)]
