"""Fetch: a batch of feed ids from the feed queue -> poll them concurrently through the SSRF-safe
client -> new articles (conditional put on the canonical-URL hash) -> one message per article.

A feed that is down is not a failed record: its health (backoff, parking) is stored and the batch
goes on. A record fails only when storing or queueing fails, so SQS retries it and, after
maxReceiveCount, the redrive policy parks it in the DLQ.
"""

import json
import os
from datetime import datetime, timezone
from urllib.parse import urlsplit

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from claimwatch.feeds.http import SafeHttpClient
from claimwatch.feeds.poll import PollResult, poll_many
from claimwatch.feeds.pollmessages import message_feed_ids
from claimwatch.store import aws
from claimwatch.store.feeds import FeedStore

logger = Logger()
tracer = Tracer(patch_modules=aws.TRACED_MODULES)
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)

feeds = FeedStore(os.environ["FEEDS_TABLE"], os.environ["ARTICLES_TABLE"])
sqs = aws.client("sqs")
http_client = SafeHttpClient.from_env()
ARTICLE_QUEUE_URL = os.environ["ARTICLE_QUEUE_URL"]
SQS_BODY_LIMIT = 240_000  # bytes; SQS takes 256 KiB, leave room for the envelope


def article_message(article) -> str:
    """The article as a queue message, its content trimmed to fit SQS (extract then falls back to
    fetching the page, which it does for summary-only entries anyway)."""
    body = json.dumps(article.to_dict())
    while len(body.encode("utf-8")) > SQS_BODY_LIMIT and article.content:
        article.content = article.content[: len(article.content) // 2]
        body = json.dumps(article.to_dict())
    return body

PER_HOST = 2  # concurrent requests to one host (the scheduler queues one host's feeds in one message)
POLL_WORKERS = 16  # concurrent requests in all
STORE_RESERVE_S = 15.0  # time kept back for storing states and queueing articles


def feed_ids(event: dict) -> list[str]:
    """Feed ids of the well-formed records; a malformed one fails alone in record_handler."""
    ids = []
    for r in event.get("Records", []):
        try:
            ids += message_feed_ids(r["body"])
        except (ValueError, TypeError, KeyError):
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


# Results of this invocation's concurrent poll, keyed by feed id, consumed by record_handler.
_polled: dict[str, PollResult] = {}


@tracer.capture_method
def record_handler(record: SQSRecord) -> int:
    return sum(store_polled(feed_id) for feed_id in message_feed_ids(record.body))


def store_polled(feed_id: str) -> int:
    result = _polled.get(feed_id)
    if result is None:  # unknown or deleted feed: nothing to poll, nothing to retry
        logger.warning("feed not in registry", extra={"feed_id": feed_id})
        return 0
    new_articles = feeds.record_new_articles(result.articles)
    for sent, article in enumerate(new_articles):
        try:
            sqs.send_message(QueueUrl=ARTICLE_QUEUE_URL, MessageBody=article_message(article))
        except Exception:
            for unsent in new_articles[sent:]:  # so the retry of this record queues them again
                feeds.forget_article(unsent)
            raise
    feeds.save_state(result.state)
    metrics.add_metric(name="FeedsPolled", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="FeedsNotModified", unit=MetricUnit.Count, value=int(result.not_modified))
    if result.error is not None:
        metrics.add_metric(name=f"FeedFailure_{result.error.kind}", unit=MetricUnit.Count, value=1)
        logger.warning("feed failed", extra={"feed_id": feed_id, "error": result.error.to_dict()})
    metrics.add_metric(name="NewArticles", unit=MetricUnit.Count, value=len(new_articles))
    return len(new_articles)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    now = datetime.now(timezone.utc)
    states = [s for s in (feeds.get(fid) for fid in feed_ids(event)) if s is not None]
    _polled.clear()
    results = poll_many(states, http_client, now, max_workers=POLL_WORKERS, per_host=PER_HOST,
                        feed_deadline_s=feed_deadline(states, context.get_remaining_time_in_millis() / 1000))
    _polled.update({res.state.feed_id: res for res in results})
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
