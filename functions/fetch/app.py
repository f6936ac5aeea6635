"""Fetch: a batch of feed ids from the feed queue -> poll them concurrently through the SSRF-safe
client -> each new article queued, then marked seen (conditional put on the canonical-URL hash)
-> the feed's state saved, whatever became of its articles.

A feed that is down is not a failed record: its health (backoff, parking) is stored and the batch
goes on. A record fails alone when its message is malformed, its feed cannot be read, or one of
its articles could not be queued or marked seen; SQS retries it and, after maxReceiveCount, the
redrive policy parks it in the DLQ.
"""

from datetime import datetime, timezone
from urllib.parse import urlsplit

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from claimwatch.feeds.http import SafeHttpClient
from claimwatch.feeds.poll import PollResult, poll_many
from claimwatch.settings import FetchSettings
from claimwatch.store import aws
from claimwatch.store.feeds import FeedStore
from claimwatch.store.queues import ArticleQueue, PoisonMessage, feed_ids_from_message

logger = Logger()
tracer = Tracer(patch_modules=aws.TRACED_MODULES)
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)

settings = FetchSettings.from_env()
feeds = FeedStore(settings.feeds_table, settings.articles_table, seen_days=settings.article_seen_days)
article_queue = ArticleQueue(settings.article_queue_url)
http_client = SafeHttpClient.from_settings(settings)

PER_HOST = 2  # concurrent requests to one host (the scheduler queues one host's feeds in one message)
POLL_WORKERS = 16  # concurrent requests in all
STORE_RESERVE_S = 15.0  # time kept back for storing states and queueing articles


class IncompletePoll(RuntimeError):
    """Some of a feed's new articles are not yet queued and marked seen: retry the record."""


def feed_ids(event: dict) -> list[str]:
    """Feed ids of the well-formed records; a malformed one fails alone in record_handler."""
    ids = []
    for r in event.get("Records", []):
        try:
            ids += feed_ids_from_message(r["body"])
        except (PoisonMessage, TypeError, KeyError):
            continue
    return list(dict.fromkeys(ids))


def feed_deadline(states, remaining_s: float) -> float:
    """Per-feed deadline such that the slowest host's feeds, polled PER_HOST at a time, all finish
    before the function times out (ten feeds of one hanging host must not time the batch out)."""
    per_host: dict[str, int] = {}
    for state in states:
        host = urlsplit(state.url).hostname or ""
        per_host[host] = per_host.get(host, 0) + 1
    rounds = max(-(-max(per_host.values(), default=1) // PER_HOST), -(-len(states) // POLL_WORKERS))
    return max(1.0, min(http_client.deadline_s, (remaining_s - STORE_RESERVE_S) / rounds))


# This invocation's poll results keyed by feed id (or the error reading the feed), consumed by
# record_handler.
_polled: dict[str, PollResult | Exception] = {}


@tracer.capture_method
def record_handler(record: SQSRecord) -> int:
    """Store the polls of one message's feeds (one host's); PoisonMessage: this record fails alone.
    Every feed is stored before the first failure is raised, so one feed's failure costs the
    others of its message only a cheap re-poll (conditional GET, articles already marked seen)."""
    stored, failures = 0, []
    for feed_id in feed_ids_from_message(record.body):
        try:
            stored += store_polled(feed_id)
        except Exception as exc:
            failures.append(exc)
    if failures:
        raise failures[0]
    return stored


def store_polled(feed_id: str) -> int:
    result = _polled.get(feed_id)
    if isinstance(result, Exception):
        raise result
    if result is None:  # unknown or deleted feed: nothing to poll, nothing to retry
        logger.warning("feed not in registry", extra={"feed_id": feed_id})
        return 0
    stored = feeds.store_poll(result, article_queue.send)
    metrics.add_metric(name="FeedsPolled", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="FeedsNotModified", unit=MetricUnit.Count, value=int(result.not_modified))
    if result.error is not None:
        metrics.add_metric(name=f"FeedFailure_{result.error.kind}", unit=MetricUnit.Count, value=1)
        logger.warning("feed failed", extra={"feed_id": feed_id, "error": result.error.to_dict()})
    if stored.truncated:
        metrics.add_metric(name="ArticlesTruncated", unit=MetricUnit.Count, value=len(stored.truncated))
        logger.warning("article fields cut to fit", extra={"feed_id": feed_id, "truncated": stored.truncated})
    metrics.add_metric(name="NewArticles", unit=MetricUnit.Count, value=len(stored.queued))
    if not stored.complete:
        metrics.add_metric(name="ArticlesNotQueued", unit=MetricUnit.Count, value=len(stored.failed))
        metrics.add_metric(name="ArticlesNotMarked", unit=MetricUnit.Count, value=len(stored.unmarked))
        raise IncompletePoll(f"feed {feed_id}: {len(stored.failed)} article(s) not queued, "
                             f"{len(stored.unmarked)} queued but not marked seen; {'; '.join(stored.errors[:3])}")
    return len(stored.queued)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    now = datetime.now(timezone.utc)
    loaded = feeds.get_each(feed_ids(event))
    states = [s for s in loaded.values() if s is not None and not isinstance(s, Exception)]
    _polled.clear()
    _polled.update({fid: err for fid, err in loaded.items() if isinstance(err, Exception)})
    results = poll_many(states, http_client, now, max_workers=POLL_WORKERS, per_host=PER_HOST,
                        feed_deadline_s=feed_deadline(states, context.get_remaining_time_in_millis() / 1000))
    _polled.update({res.state.feed_id: res for res in results})
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
