"""Scheduler: on each ScheduleV2 tick, enqueue one message per feed that is due.

Fan-out keeps a slow feed from holding up the rest: each feed is its own SQS message, polled by
the fetch function with its own retry budget and DLQ.
"""

import json
import os
from datetime import datetime, timezone

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from claimwatch.store import aws
from claimwatch.store.feeds import FeedStore

logger = Logger()
tracer = Tracer(patch_modules=aws.TRACED_MODULES)
metrics = Metrics()

feeds = FeedStore(os.environ["FEEDS_TABLE"], os.environ["ARTICLES_TABLE"])
sqs = aws.client("sqs")
FEED_QUEUE_URL = os.environ["FEED_QUEUE_URL"]


@tracer.capture_method
def enqueue(feed_ids: list[str]) -> int:
    sent = 0
    for start in range(0, len(feed_ids), 10):  # SendMessageBatch takes at most 10 entries
        chunk = feed_ids[start : start + 10]
        resp = sqs.send_message_batch(
            QueueUrl=FEED_QUEUE_URL,
            Entries=[{"Id": str(i), "MessageBody": json.dumps({"feed_id": fid})} for i, fid in enumerate(chunk)],
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
    sent = enqueue([state.feed_id for state in due])
    metrics.add_metric(name="FeedsEnqueued", unit=MetricUnit.Count, value=sent)
    logger.info("feeds enqueued", extra={"due": len(due), "sent": sent})
    return {"enqueued": sent}
