"""Fetch: a batch of feed ids from the feed queue -> poll them concurrently through the SSRF-safe
client -> each new article queued, then marked seen (conditional put on the canonical-URL hash)
-> the feed's state saved, whatever became of its articles.

A feed that is down is not a failed record: its health (backoff, parking) is stored and the batch
goes on. A record fails alone when its message is malformed, its feed cannot be read, or one of
its articles could not be queued or marked seen; SQS retries it and, after maxReceiveCount, the
redrive policy parks it in the DLQ.
"""

from datetime import UTC, datetime
from functools import partial

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from claimwatch.feeds.http import SafeHttpClient
from claimwatch.feeds.poll import PollResult
from claimwatch.feeds.pollbatch import PolledBatch
from claimwatch.settings import FetchSettings
from claimwatch.store import aws
from claimwatch.store.feeds import FeedStore
from claimwatch.store.queues import ArticleQueue, feed_ids_from_message, unique_feed_ids

logger = Logger()
tracer = Tracer(patch_modules=aws.TRACED_MODULES)
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)

settings = FetchSettings.from_env()
feeds = FeedStore(settings.feeds_table, settings.articles_table, seen_days=settings.article_seen_days)
article_queue = ArticleQueue(settings.article_queue_url)
http_client = SafeHttpClient.from_settings(settings)


class IncompletePoll(RuntimeError):
    """Some of a feed's new articles are not yet queued and marked seen: retry the record."""


@tracer.capture_method
def record_handler(record: SQSRecord, polled: PolledBatch) -> int:
    """Store the polls of one message's feeds (one host's); PoisonMessage: this record fails alone.
    Every feed is stored before the first failure is raised, so one feed's failure costs the
    others of its message only a cheap re-poll (conditional GET, articles already marked seen)."""
    stored, failures = 0, []
    for feed_id in feed_ids_from_message(record.body):
        try:
            stored += store_polled(feed_id, polled.result(feed_id))
        except Exception as exc:
            failures.append(exc)
    if failures:
        raise failures[0]
    return stored


def store_polled(feed_id: str, result: PollResult | None) -> int:
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
        raise IncompletePoll(
            f"feed {feed_id}: {len(stored.failed)} article(s) not queued, "
            f"{len(stored.unmarked)} queued but not marked seen; {'; '.join(stored.errors[:3])}"
        )
    return len(stored.queued)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> PartialItemFailureResponse:
    now = datetime.now(UTC)
    loaded = feeds.get_each(unique_feed_ids(r.get("body") for r in event.get("Records", [])))
    polled = PolledBatch.poll(loaded, http_client, now, remaining_s=context.get_remaining_time_in_millis() / 1000)
    return process_partial_response(
        event=event, record_handler=partial(record_handler, polled=polled), processor=processor, context=context
    )
