"""Scheduler: on each ScheduleV2 tick, enqueue the feeds that are due, one message per host.

Fan-out keeps a slow site from holding up the rest: each host's feeds are their own SQS message,
polled by the fetch function with their own retry budget and DLQ, and one host's feeds are never
polled by two fetchers at once (claimwatch.feeds.pollmessages).
"""

import os
from datetime import datetime, timezone

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from claimwatch.feeds.pollmessages import poll_messages
from claimwatch.store import aws
from claimwatch.store.feeds import FeedStore

logger = Logger()
tracer = Tracer(patch_modules=aws.TRACED_MODULES)
metrics = Metrics()

feeds = FeedStore(os.environ["FEEDS_TABLE"], os.environ["ARTICLES_TABLE"])
sqs = aws.client("sqs")
FEED_QUEUE_URL = os.environ["FEED_QUEUE_URL"]


@tracer.capture_method
def enqueue(bodies: list[str]) -> int:
    sent = 0
    for start in range(0, len(bodies), 10):  # SendMessageBatch takes at most 10 entries
        chunk = bodies[start : start + 10]
        resp = sqs.send_message_batch(
            QueueUrl=FEED_QUEUE_URL,
            Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)],
        )
        if resp.get("Failed"):
            raise RuntimeError(f"could not enqueue {len(resp['Failed'])} feeds: {resp['Failed'][0].get('Message')}")
        sent += len(resp.get("Successful", []))
    return sent


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    now = datetime.now(timezone.utc)
    due = feeds.due_feeds(now)
    sent = enqueue(poll_messages(due))
    metrics.add_metric(name="FeedsEnqueued", unit=MetricUnit.Count, value=len(due))
    logger.info("feeds enqueued", extra={"due": len(due), "messages": sent})
    return {"enqueued": len(due), "messages": sent}
