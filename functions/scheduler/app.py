"""Scheduler: on each ScheduleV2 tick, enqueue the feeds that are due, one message per host.

Fan-out keeps a slow site from holding up the rest: each host's feeds are their own SQS message,
polled by the fetch function with their own retry budget and DLQ, and one host's feeds are never
polled by two fetchers at once (claimwatch.feeds.pollmessages). Only the due feeds' ids and URLs
are read, so a corrupt registry item fails its own poll, and a failed send does not stop the
others; if any failed, the invocation fails after the rest went out and Lambda's asynchronous
retry tries again (a feed enqueued twice is polled twice, which its conditional GET makes cheap).
"""

from datetime import UTC, datetime

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from claimwatch.feeds.pollmessages import group_by_host
from claimwatch.settings import SchedulerSettings
from claimwatch.store import aws
from claimwatch.store.feeds import FeedStore
from claimwatch.store.queues import FeedPollQueue

logger = Logger()
tracer = Tracer(patch_modules=aws.TRACED_MODULES)
metrics = Metrics()

settings = SchedulerSettings.from_env()
feeds = FeedStore(settings.feeds_table, settings.articles_table)
feed_queue = FeedPollQueue(settings.feed_queue_url)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    due = feeds.due_feed_ids(datetime.now(UTC))
    messages, sent, errors = feed_queue.send(group_by_host(due))
    metrics.add_metric(name="FeedsEnqueued", unit=MetricUnit.Count, value=sent)
    logger.info("feeds enqueued", extra={"due": len(due), "sent": sent, "messages": messages})
    if errors:
        metrics.add_metric(name="FeedsNotEnqueued", unit=MetricUnit.Count, value=len(due) - sent)
        raise RuntimeError(f"could not enqueue {len(due) - sent} of {len(due)} feeds: {errors[0]}")
    return {"enqueued": sent, "messages": messages}
