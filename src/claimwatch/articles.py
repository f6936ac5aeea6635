"""One queued article -> its text (kept for the alerts) -> claims, each in its novelty cluster ->
the claim store. The extract function's work on one article, with storage behind small protocols
so that it runs the same on DynamoDB/S3 (claimwatch.store) and in memory."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from claimwatch.feeds.content import ArticleText, article_text
from claimwatch.model import Article, Claim, Provenance
from claimwatch.novelty import NoveltyStore, assign_cluster
from claimwatch.pipeline import analyze, publication_date

logger = logging.getLogger(__name__)


class TextStore(Protocol):
    def put(self, article_id: str, text: str) -> None: ...


class ClaimSink(Protocol):
    def put_claims(self, claims: Iterable[Claim]) -> int: ...


@dataclass(frozen=True)
class ArticleOutcome:
    article_id: str
    claims: int
    new_clusters: int

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def merged_provenance(article: Article, text: ArticleText) -> Provenance:
    """The feed entry's provenance with what the text's source knows better (the page's canonical
    URL, title, date and outlet)."""
    provenance = article.provenance()
    provenance.url = text.canonical_url or provenance.url
    provenance.title = text.title or provenance.title
    provenance.published = text.published or provenance.published
    provenance.outlet = text.outlet or provenance.outlet
    return provenance


@dataclass
class ArticleProcessor:
    """Everything one article needs: the page client, where texts and claims go, the clusters."""

    http_client: object
    texts: TextStore
    novelty: NoveltyStore
    claims: ClaimSink

    def process(self, article: Article, now: datetime | None = None) -> ArticleOutcome:
        text = article_text(article, self.http_client)
        self.texts.put(article.article_id, text.text)
        provenance = merged_provenance(article, text)
        if provenance.published and publication_date(provenance.published) is None:
            # an odd date string is not worth failing an article: its relative dates stay unresolved
            logger.warning("unparseable publication date", extra={"published": provenance.published})
        claims = analyze(text.text, provenance=provenance)
        now = now or datetime.now(UTC)
        new_clusters = 0
        for claim in claims:
            cluster = assign_cluster(claim, self.novelty, outlet=provenance.outlet, now=now)
            claim.cluster_id = cluster.cluster_id
            new_clusters += bool(cluster.is_new)
        self.claims.put_claims(claims)
        return ArticleOutcome(article.article_id, len(claims), new_clusters)
