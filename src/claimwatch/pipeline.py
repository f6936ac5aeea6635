"""Text → claims: spaCy once per text (per piece of a long text), then attribution, places and actors
on the same Doc."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from spacy.tokens import Doc

from claimwatch import model
from claimwatch.extract.attribution import extract_attributions, link_nested
from claimwatch.extract.chunks import chunk_bounds, context_start, cut_before
from claimwatch.extract.docindex import doc_text
from claimwatch.extract.learned import apply as apply_learned
from claimwatch.extract.nlp import get_nlp
from claimwatch.textclean import CleanText, clean_text, strip_invisible

# Text past this many characters (after invisible ones are removed) is not extracted: about 30 CPU
# seconds of parsing on the extract function's budget, and spaCy's own limit for one Doc.
MAX_ARTICLE_CHARS = 1_000_000
# Texts up to this size are parsed as one Doc (every PolNeAR and golden article); longer ones in
# pieces of at most this size, which bounds the parser's memory (extract/chunks.py).
CHUNK_CHARS = 25_000
# The whole sentences in the last this many characters of a piece are parsed again with the next
# piece: who "he", "the adviser" and a bare surname are is usually said within them.
CONTEXT_CHARS = 2_000

logger = logging.getLogger(__name__)


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


def publication_date(published) -> dt.date | None:
    """The date relative dates resolve against: a date, a datetime or an ISO 8601 string (None
    when there is none or it does not parse)."""
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


def _publication(published, provenance: model.Provenance | None) -> tuple[dt.date | None, model.Provenance]:
    pub = publication_date(published if published is not None else (provenance.published if provenance else None))
    return pub, provenance or model.Provenance(published=pub.isoformat() if pub else None)


def _map_spans(claims: list[model.Claim], places: list, actors: list, to_article: Callable) -> None:
    """Doc offsets → article offsets, each object once (one place can sit in several claims)."""
    for part in [*places, *actors, *(p for c in claims for p in (c.source, c.cue, c.content))]:
        if part.span is not None:
            part.span = to_article(*part.span)
    for claim in claims:
        if claim.sentence_span is not None:
            claim.sentence_span = to_article(*claim.sentence_span)


def _claims_of_doc(
    doc: Doc,
    pub: dt.date | None,
    provenance: model.Provenance,
    key: str,
    with_entities: bool,
    to_article: Callable | None = None,
    keep_from: int = 0,
) -> list[model.Claim]:
    """The claims of one Doc whose cue starts at or after ``keep_from`` (a Doc offset), with places,
    actors, provenance and ids; spans mapped through ``to_article`` when the Doc is not the article."""
    # the rules' claims, plus the learned tagger's confident cues they miss (extract/learned.py)
    claims = [
        c
        for c in apply_learned(doc, extract_attributions(doc, pub), pub)
        if c.cue.span is None or c.cue.span[0] >= keep_from
    ]
    find_places, find_actors, resolve_source = _resolvers() if with_entities else (None, None, None)
    places = find_places(doc) if find_places else []
    actors = find_actors(doc) if find_actors else []
    if to_article is not None:
        _map_spans(claims, places, actors, to_article)
    for claim in claims:
        span = claim.content.span
        # the envelope of a split content can hold the cue and source ("X, according to Y, is …"):
        # the source's own mention is not something the claim is about
        own = [s for s in (claim.source.span, claim.cue.span) if s]
        claim.places = [p for p in places if _inside(p.span, span) and not any(_inside(p.span, o) for o in own)]
        claim.actors = [a for a in actors if _inside(a.span, span) and not any(_inside(a.span, o) for o in own)]
        if resolve_source is not None and claim.source.actor_id is None:
            # the resolved name first; then the mention as written, which can be the fuller one
            # ("Russia's Defence Ministry" resolves to the name "Defence Ministry")
            names = dict.fromkeys(n for n in (claim.source.name, claim.source.text) if n)
            claim.source.actor_id = next((a for a in map(resolve_source, names) if a), None)
        claim.provenance = provenance
        claim.ensure_id(key)
    link_nested(claims)
    return claims


def claims_from_doc(
    doc: Doc,
    published=None,
    provenance: model.Provenance | None = None,
    article_key: str | None = None,
    with_entities: bool = True,
) -> list[model.Claim]:
    """Claims of an already parsed Doc, with places/actors attached and ids set.
    ``with_entities=False`` skips place/actor resolution (extraction-only scoring)."""
    pub, provenance = _publication(published, provenance)
    key = article_key or provenance.article_id or model.stable_id(doc_text(doc), length=24)
    return _claims_of_doc(doc, pub, provenance, key, with_entities)


@dataclass
class _Article:
    """An article's text as extraction sees it: invisible characters removed, capped."""

    clean: CleanText
    body: str  # clean.text, cut at MAX_ARTICLE_CHARS
    pub: dt.date | None
    provenance: model.Provenance
    key: str

    def to_article(self, base: int = 0) -> Callable | None:
        """Offsets in ``body[base:]`` → offsets in the text as given (None: they are the same)."""
        if base == 0 and not self.clean.removed:
            return None
        original = self.clean.original_span
        return lambda start, end: original(start + base, end + base)


def _visible(provenance: model.Provenance | None) -> model.Provenance | None:
    """The provenance with its title and outlet free of invisible characters."""
    if provenance is None:
        return None
    changed = {f: strip_invisible(v) for f in ("title", "outlet") if (v := getattr(provenance, f))}
    changed = {f: v for f, v in changed.items() if v != getattr(provenance, f)}
    return dataclasses.replace(provenance, **changed) if changed else provenance


def _prepare(text: str, published, provenance: model.Provenance | None) -> _Article:
    pub, provenance = _publication(published, _visible(provenance))
    clean = clean_text(text)
    body = clean.text
    if len(body) > MAX_ARTICLE_CHARS:
        body = body[: cut_before(body, MAX_ARTICLE_CHARS // 2, MAX_ARTICLE_CHARS)]
        logger.warning(
            "article text truncated to %d of %d characters (article %s)",
            len(body),
            len(clean.text),
            provenance.article_id or provenance.url or "without id",
            extra={"article_id": provenance.article_id, "chars": len(clean.text), "kept": len(body)},
        )
    return _Article(clean, body, pub, provenance, provenance.article_id or model.stable_id(text, length=24))


def _claims_of_long(article: _Article, with_entities: bool) -> list[model.Claim]:
    """A long text piece by piece (``CHUNK_CHARS``): each piece parsed with the sentences of the
    ``CONTEXT_CHARS`` before it (claims whose cue lies there came with the piece before), its
    claims mapped back to article offsets and its Doc released before the next piece is parsed.
    One ``nlp`` call per piece rather than ``nlp.pipe``: where a piece's context starts is read
    from the parse of the piece before it."""
    nlp = get_nlp()
    claims: list[model.Claim] = []
    carried = 0
    for start, end in chunk_bounds(article.body, CHUNK_CHARS):
        base = min(carried, start)
        doc = nlp(article.body[base:end])
        claims += _claims_of_doc(
            doc,
            article.pub,
            article.provenance,
            article.key,
            with_entities,
            article.to_article(base),
            keep_from=start - base,
        )
        carried = base + context_start(doc, CONTEXT_CHARS)
        del doc  # not alive while the next piece is parsed
    return claims


def _analyze(article: _Article, doc: Doc | None, with_entities: bool) -> list[model.Claim]:
    if doc is None:
        return _claims_of_long(article, with_entities)
    return _claims_of_doc(doc, article.pub, article.provenance, article.key, with_entities, article.to_article())


def analyze(
    text: str, published=None, provenance: model.Provenance | None = None, with_entities: bool = True
) -> list[model.Claim]:
    """Every claim in ``text``; spans are offsets into ``text`` exactly as given (the claims' texts
    are free of invisible characters: claimwatch.textclean). Text beyond ``MAX_ARTICLE_CHARS`` is
    cut at a paragraph or sentence break and logged; texts over ``CHUNK_CHARS`` are parsed in
    pieces (extract/chunks.py)."""
    article = _prepare(text, published, provenance)
    doc = get_nlp()(article.body) if len(article.body) <= CHUNK_CHARS else None
    return _analyze(article, doc, with_entities)


def analyze_many(
    items: Iterable, batch_size: int = 16, n_process: int = 1, with_entities: bool = True
) -> list[list[model.Claim]]:
    """Claims of many texts through ``nlp.pipe``. ``items`` are texts or (text, published,
    provenance) tuples; returns one claim list per item, in order (texts over ``CHUNK_CHARS`` go
    piece by piece, as in ``analyze``)."""
    rows = [(it, None, None) if isinstance(it, str) else (tuple(it) + (None, None))[:3] for it in items]
    articles = [_prepare(*row) for row in rows]
    short = [a.body for a in articles if len(a.body) <= CHUNK_CHARS]
    docs = iter(get_nlp().pipe(short, batch_size=batch_size, n_process=n_process))
    return [_analyze(a, next(docs) if len(a.body) <= CHUNK_CHARS else None, with_entities) for a in articles]
