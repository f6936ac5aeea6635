"""DynamoDB adapter for the feed registry (FeedsTable) and the article ledger (ArticlesTable).

``put_article_if_new`` is the "new entry" decision: one transaction writes the article item
(key: article_id, i.e. the canonical URL hash) and a ``content#<content_hash>`` item, each only if
absent, so a replay, a changed GUID or a syndicated copy under another URL is not new.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Optional

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from claimwatch.feeds.http import check_feed_url
from claimwatch.feeds.state import FeedState, format_time
from claimwatch.model import Article
from claimwatch.store import aws
from claimwatch.store.codec import to_item

# The article item is the "seen" record: metadata only. The text travels in the queue message and
# is stored in S3 by extract; keeping it here made every re-check of a listed item cost WCUs by
# the size of the whole text (a cancelled transaction is charged for the items it read).
ARTICLE_FIELDS = ("article_id", "url", "canonical_url", "title", "outlet", "published", "feed_id", "guid",
                  "content_hash")


def _item(values: dict) -> dict:
    return {k: to_item(v) for k, v in values.items() if v is not None}


def _is_code(exc: ClientError, code: str) -> bool:
    return exc.response.get("Error", {}).get("Code") == code


class FeedStore:
    def __init__(self, feeds_table_name: str, articles_table_name: str, dynamodb=None, seen_days: Optional[int] = None):
        self.dynamodb = dynamodb or aws.resource("dynamodb")  # honours AWS_ENDPOINT_URL
        # TTL of the seen-records (ARTICLE_SEEN_DAYS, template parameter ArticleSeenDays; 0: kept).
        self.seen_days = int(os.environ.get("ARTICLE_SEEN_DAYS") or 0) if seen_days is None else seen_days
        self.feeds = self.dynamodb.Table(feeds_table_name)
        self.articles = self.dynamodb.Table(articles_table_name)
        self._client = self.dynamodb.meta.client  # takes and returns plain Python values

    @classmethod
    def from_env(cls, dynamodb=None) -> "FeedStore":
        """Table names from FEEDS_TABLE and ARTICLES_TABLE (set by template.yaml)."""
        return cls(os.environ["FEEDS_TABLE"], os.environ["ARTICLES_TABLE"], dynamodb)

    # -- registry ------------------------------------------------------------------------------

    def add_feed(self, url: str, title: Optional[str] = None, now: Optional[datetime] = None) -> FeedState:
        """Register a feed, due at once. Idempotent: an existing feed is returned unchanged.
        ValueError for a URL the fetcher would never poll (not http/https, no host)."""
        state = FeedState.new(check_feed_url(url), title, now)
        try:
            self.feeds.put_item(Item=_item(state.to_dict()), ConditionExpression="attribute_not_exists(feed_id)")
        except ClientError as exc:
            if not _is_code(exc, "ConditionalCheckFailedException"):
                raise
            return self.get(state.feed_id) or state
        return state

    def get(self, feed_id: str) -> Optional[FeedState]:
        item = self.feeds.get_item(Key={"feed_id": feed_id}, ConsistentRead=True).get("Item")
        return FeedState.from_dict(item) if item else None

    def _scan(self, **kwargs) -> list[FeedState]:
        return [FeedState.from_dict(item) for item in aws.scan_all(self.feeds, **kwargs)]

    def list_feeds(self) -> list[FeedState]:
        return sorted(self._scan(), key=lambda s: (s.title or s.url).lower())

    def due_feeds(self, now: datetime, include_parked: bool = True) -> list[FeedState]:
        """Feeds whose ``next_poll`` has come. A parked feed's ``next_poll`` is its (rare) probe
        time, and it is included by default so a parked feed recovers when the site does;
        ``include_parked=False`` gives only the regularly polled feeds."""
        condition = Attr("next_poll").lte(format_time(now)) | Attr("next_poll").not_exists()
        if not include_parked:
            condition = condition & (Attr("parked_reason").not_exists() | Attr("parked_reason").eq(None))
        return self._scan(FilterExpression=condition)

    def save_state(self, state: FeedState) -> bool:
        """Write a polled state back; False (nothing written) when the feed was removed meanwhile."""
        try:
            self.feeds.put_item(Item=_item(state.to_dict()), ConditionExpression="attribute_exists(feed_id)")
        except ClientError as exc:
            if _is_code(exc, "ConditionalCheckFailedException"):
                return False
            raise
        return True

    def remove_feed(self, feed_id: str) -> None:
        self.feeds.delete_item(Key={"feed_id": feed_id})

    # -- articles ------------------------------------------------------------------------------

    def put_article_if_new(self, article: Article, now: Optional[datetime] = None) -> bool:
        """True when this article was never seen: neither its id nor its content hash exists.

        Both items are written in one transaction, each conditional on absence, so concurrent
        fetchers agree on a single winner. Only condition failures mean "not new"; any other
        cancellation (throttling, conflict) raises so the caller's retry can decide later.
        """
        now = now or datetime.now(timezone.utc)
        seen = format_time(now)
        expires = self._seen_expiry(now)
        meta = article.to_dict()
        record = _item({**{k: meta.get(k) for k in ARTICLE_FIELDS}, "kind": "article", "first_seen": seen,
                        "expires_at": expires})
        puts = [self._put_absent(record)]
        if article.content_hash:
            puts.append(
                self._put_absent(
                    _item({"article_id": f"content#{article.content_hash}", "kind": "content",
                           "original_article_id": article.article_id, "first_seen": seen, "expires_at": expires})
                )
            )
        try:
            self._client.transact_write_items(TransactItems=puts)
        except ClientError as exc:
            if not _is_code(exc, "TransactionCanceledException"):
                raise
            reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
            if reasons and any(code not in ("ConditionalCheckFailed", "None") for code in reasons):
                raise
            return False
        return True

    def record_new_articles(self, articles: list[Article], now: Optional[datetime] = None) -> list[Article]:
        """The articles of one poll that were never seen, each recorded as seen.

        A feed lists its last N items on every poll that is not a 304; almost all of them are
        known. One eventually consistent BatchGetItem (0.5 RCU per small item) drops those before
        the conditional transactions (2 WCU per item, charged even when cancelled), which stay
        the exactly-once decision for whatever the batch read let through.
        """
        known = self._known_ids(
            [a.article_id for a in articles] + [f"content#{a.content_hash}" for a in articles if a.content_hash]
        )
        fresh = [a for a in articles if a.article_id not in known and f"content#{a.content_hash}" not in known]
        return [a for a in fresh if self.put_article_if_new(a, now)]

    def _known_ids(self, ids: list[str]) -> set[str]:
        known: set[str] = set()
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 100):  # BatchGetItem takes at most 100 keys
            request = {self.articles.name: {"Keys": [{"article_id": i} for i in unique[start : start + 100]],
                                            "ProjectionExpression": "article_id"}}
            while request:
                resp = self._client.batch_get_item(RequestItems=request)
                known |= {item["article_id"] for item in resp.get("Responses", {}).get(self.articles.name, [])}
                request = resp.get("UnprocessedKeys") or None
        return known

    def _seen_expiry(self, now: datetime) -> Optional[int]:
        """Epoch seconds when DynamoDB may delete a seen-record (None: never). An entry a feed still
        lists after that is queued again; its claims are rewritten unchanged, which alerts no one."""
        return int((now + timedelta(days=self.seen_days)).timestamp()) if self.seen_days > 0 else None

    def forget_article(self, article: Article) -> None:
        """Undo ``put_article_if_new`` when the article could not be enqueued, so a retry of the
        same poll finds it new again instead of losing it."""
        self.articles.delete_item(Key={"article_id": article.article_id})
        if article.content_hash:
            self.articles.delete_item(Key={"article_id": f"content#{article.content_hash}"})

    def get_article(self, article_id: str) -> Optional[dict]:
        return self.articles.get_item(Key={"article_id": article_id}, ConsistentRead=True).get("Item")

    def _put_absent(self, item: dict) -> dict:
        return {
            "Put": {
                "TableName": self.articles.name,
                "Item": item,  # the resource's client serialises Python values itself
                "ConditionExpression": "attribute_not_exists(article_id)",
            }
        }
