"""DynamoDB adapter for the feed registry (FeedsTable) and the article ledger (ArticlesTable).

``put_article_if_new`` is the "new entry" decision: one transaction writes the article item
(key: article_id, i.e. the canonical URL hash) and a ``content#<content_hash>`` item, each only if
absent, so a replay, a changed GUID or a syndicated copy under another URL is not new.

``store_poll`` is what the fetch function does with one feed's poll: queue each unseen article,
then mark it seen, then save the feed's state, whatever happened to the articles.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from claimwatch.feeds.http import check_feed_url
from claimwatch.feeds.state import FeedState, format_time
from claimwatch.model import Article
from claimwatch.store import aws
from claimwatch.store.codec import to_item

log = logging.getLogger(__name__)

# The article item is the "seen" record: metadata only. The text travels in the queue message and
# is stored in S3 by extract; keeping it here made every re-check of a listed item cost WCUs by
# the size of the whole text (a cancelled transaction is charged for the items it read).
ARTICLE_FIELDS = (
    "article_id",
    "url",
    "canonical_url",
    "title",
    "outlet",
    "published",
    "feed_id",
    "guid",
    "content_hash",
)

# Caps on the metadata a feed controls, in characters. A hostile feed's megabyte title, link or
# GUID must not push the seen-record over DynamoDB's 400 KB item limit, nor the queue message over
# SQS's 256 KiB (JSON escapes take up to 12 bytes a character: these caps stay under 190 KB).
FIELD_LIMITS = {"title": 2_000, "url": 4_096, "canonical_url": 4_096, "guid": 4_096, "outlet": 1_000, "published": 100}

# Consecutive article failures after which a poll stops trying the rest (DynamoDB or SQS is down:
# each further try would cost its SDK retries, and the record's retry covers them all).
MAX_CONSECUTIVE_FAILURES = 3


def fit_article(article: Article) -> tuple[Article, list[str]]:
    """The article with every capped field cut to its limit, and the names of the fields cut."""
    cut = {
        name: getattr(article, name)[:limit]
        for name, limit in FIELD_LIMITS.items()
        if isinstance(getattr(article, name), str) and len(getattr(article, name)) > limit
    }
    return (dataclasses.replace(article, **cut) if cut else article), sorted(cut)


@dataclass
class StoredPoll:
    """What became of one poll's articles. Each unseen article ends in exactly one of ``queued``,
    ``copies``, ``unmarked`` and ``failed``: never marked seen without being queued."""

    queued: list = field(default_factory=list)  # queued and marked seen
    copies: list = field(default_factory=list)  # queued, but marked seen first by a concurrent poll
    unmarked: list = field(default_factory=list)  # queued; marking it seen failed (the retry queues it again)
    failed: list = field(default_factory=list)  # neither queued nor marked (the retry queues it)
    truncated: dict = field(default_factory=dict)  # article_id -> names of the fields cut to fit
    errors: list = field(default_factory=list)  # one line per failure, for the log
    state_saved: bool = False

    @property
    def complete(self) -> bool:
        """Every unseen article is queued and marked seen: nothing for a retry to do."""
        return not (self.unmarked or self.failed)


def _item(values: dict) -> dict:
    return {k: to_item(v) for k, v in values.items() if v is not None}


def _due(now: datetime, include_parked: bool):
    condition = Attr("next_poll").lte(format_time(now)) | Attr("next_poll").not_exists()
    if not include_parked:
        condition = condition & (Attr("parked_reason").not_exists() | Attr("parked_reason").eq(None))
    return condition


def _is_code(exc: ClientError, code: str) -> bool:
    return exc.response.get("Error", {}).get("Code") == code


class FeedStore:
    def __init__(self, feeds_table_name: str, articles_table_name: str, dynamodb=None, seen_days: int = 0):
        self.dynamodb = dynamodb or aws.resource("dynamodb")  # honours AWS_ENDPOINT_URL
        # TTL of the seen-records (FetchSettings.article_seen_days, template parameter ArticleSeenDays; 0: kept).
        self.seen_days = seen_days
        self.feeds = self.dynamodb.Table(feeds_table_name)
        self.articles = self.dynamodb.Table(articles_table_name)
        self._client = self.dynamodb.meta.client  # takes and returns plain Python values

    # -- registry ------------------------------------------------------------------------------

    def add_feed(self, url: str, title: str | None = None, now: datetime | None = None) -> FeedState:
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

    def get(self, feed_id: str) -> FeedState | None:
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
        return self._scan(FilterExpression=_due(now, include_parked))

    def due_feed_ids(self, now: datetime) -> list[tuple[str, str | None]]:
        """(feed id, URL) of the feeds ``due_feeds`` returns (parked ones included), read without
        parsing the states: one corrupt registry item fails its own poll, not every feed's schedule."""
        items = aws.scan_all(
            self.feeds,
            FilterExpression=_due(now, True),
            ProjectionExpression="feed_id, #u",
            ExpressionAttributeNames={"#u": "url"},
        )
        return [(item["feed_id"], item.get("url") or "") for item in items]

    def get_each(self, feed_ids: list[str]) -> dict[str, FeedState | None | Exception]:
        """Each feed's state (None: not registered), or the error reading it: one feed's failed
        read fails that feed alone."""
        states: dict[str, FeedState | None | Exception] = {}
        for feed_id in feed_ids:
            try:
                states[feed_id] = self.get(feed_id)
            except Exception as exc:
                log.warning("reading feed %s failed: %r", feed_id, exc)
                states[feed_id] = exc
        return states

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

    def put_article_if_new(self, article: Article, now: datetime | None = None, truncated=()) -> bool:
        """True when this article was never seen: neither its id nor its content hash exists.

        Both items are written in one transaction, each conditional on absence, so concurrent
        fetchers agree on a single winner. Only condition failures mean "not new"; any other
        cancellation (throttling, conflict) raises so the caller's retry can decide later.
        ``truncated``: the fields cut to fit (``fit_article``), recorded on the item.
        """
        now = now or datetime.now(UTC)
        seen = format_time(now)
        expires = self._seen_expiry(now)
        meta = article.to_dict()
        record = _item(
            {
                **{k: meta.get(k) for k in ARTICLE_FIELDS},
                "kind": "article",
                "first_seen": seen,
                "truncated": sorted(truncated) or None,
                "expires_at": expires,
            }
        )
        puts = [self._put_absent(record)]
        if article.content_hash:
            puts.append(
                self._put_absent(
                    _item(
                        {
                            "article_id": f"content#{article.content_hash}",
                            "kind": "content",
                            "original_article_id": article.article_id,
                            "first_seen": seen,
                            "expires_at": expires,
                        }
                    )
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

    def record_new_articles(
        self, articles: list[Article], send: Callable[..., list[str]], now: datetime | None = None
    ) -> StoredPoll:
        """Queue and mark seen the articles of one poll that were never seen.

        Queue first, then mark seen: an article is marked seen only once its message is on the
        queue, so no failure can leave one seen but never queued. A failure between the two
        leaves it queued but unmarked; the retry queues it again and extract's idempotency (on
        article id + content hash) drops the copy. ``send(article, truncated)`` queues one article
        and returns the fields cut on the way (``ArticleQueue.send``).

        A feed lists its last N items on every poll that is not a 304; almost all of them are
        known. One eventually consistent BatchGetItem (0.5 RCU per small item) drops those before
        the conditional transactions (2 WCU per item, charged even when cancelled), which stay
        the exactly-once decision for whatever the batch read let through.
        """
        outcome = StoredPoll()
        known = self._known_ids(
            [a.article_id for a in articles] + [f"content#{a.content_hash}" for a in articles if a.content_hash]
        )
        unseen = []
        for article in articles:  # a feed may list one item twice, or one text under two links
            keys = {article.article_id} | ({f"content#{article.content_hash}"} if article.content_hash else set())
            if not keys & known:
                unseen.append(article)
                known |= keys
        consecutive = 0
        for index, original in enumerate(unseen):
            if consecutive >= MAX_CONSECUTIVE_FAILURES:
                outcome.failed += unseen[index:]
                outcome.errors.append(f"{len(unseen) - index} article(s) not tried after {consecutive} failures")
                break
            article, cut = fit_article(original)
            try:
                cut = send(article, cut)
            except Exception as exc:
                consecutive += 1
                outcome.failed.append(article)
                outcome.errors.append(f"queueing {article.article_id}: {exc!r}")
                continue
            if cut:
                outcome.truncated[article.article_id] = cut
            try:
                new = self.put_article_if_new(article, now, truncated=cut)
            except Exception as exc:
                consecutive += 1
                outcome.unmarked.append(article)
                outcome.errors.append(f"marking {article.article_id} seen: {exc!r}")
                continue
            consecutive = 0
            (outcome.queued if new else outcome.copies).append(article)
        return outcome

    def store_poll(self, result, send: Callable[..., list[str]], now: datetime | None = None) -> StoredPoll:
        """Queue and mark seen the new articles of one ``poll_feed`` result, then save the feed's
        state on every outcome. When an article is left for a retry, the conditional-GET
        validators are not saved: the retry's GET is then unconditional and lists it again
        instead of getting a 304."""
        try:
            outcome = self.record_new_articles(result.articles, send, now)
        except Exception as exc:  # the ledger could not be read: nothing was queued or marked
            outcome = StoredPoll(failed=list(result.articles), errors=[f"reading the article ledger: {exc!r}"])
        state = result.state
        if not outcome.complete:
            state = dataclasses.replace(state, etag=None, last_modified=None)
        outcome.state_saved = self.save_state(state)
        return outcome

    def _known_ids(self, ids: list[str]) -> set[str]:
        known: set[str] = set()
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 100):  # BatchGetItem takes at most 100 keys
            request: dict | None = {
                self.articles.name: {
                    "Keys": [{"article_id": i} for i in unique[start : start + 100]],
                    "ProjectionExpression": "article_id",
                }
            }
            while request:
                resp = self._client.batch_get_item(RequestItems=request)
                known |= {item["article_id"] for item in resp.get("Responses", {}).get(self.articles.name, [])}
                request = resp.get("UnprocessedKeys") or None
        return known

    def _seen_expiry(self, now: datetime) -> int | None:
        """Epoch seconds when DynamoDB may delete a seen-record (None: never). An entry a feed still
        lists after that is queued again; its claims are rewritten unchanged, which alerts no one."""
        return int((now + timedelta(days=self.seen_days)).timestamp()) if self.seen_days > 0 else None

    def get_article(self, article_id: str) -> dict | None:
        return self.articles.get_item(Key={"article_id": article_id}, ConsistentRead=True).get("Item")

    def _put_absent(self, item: dict) -> dict:
        return {
            "Put": {
                "TableName": self.articles.name,
                "Item": item,  # the resource's client serialises Python values itself
                "ConditionExpression": "attribute_not_exists(article_id)",
            }
        }
