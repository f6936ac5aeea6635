"""Digest: once per DigestRate, one message per digest watch listing its new claims by cluster.

Each (watch, period) digest is guarded by a conditional put, so a retried schedule never sends
a period's digest twice.
"""

import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from claimwatch.alerts.service import STATUS_FAILED, STATUS_SENT, AlertService
from claimwatch.store.alerts import DynamoAlertStore
from claimwatch.store.novelty import DynamoNoveltyStore
from claimwatch.store.topic import SnsPublisher
from claimwatch.store.watches import CachedWatches, WatchStore
from claimwatch.watch.matcher import WatchIndex

logger = Logger()
tracer = Tracer()
metrics = Metrics()

watches = CachedWatches(WatchStore(os.environ["WATCHES_TABLE"]), build=WatchIndex)
alert_store = DynamoAlertStore(os.environ["ALERTS_TABLE"])
novelty_store = DynamoNoveltyStore(os.environ["NOVELTY_TABLE"])
publisher = SnsPublisher(os.environ["ALERT_TOPIC_ARN"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    index = watches.index()
    service = AlertService(alert_store, publisher, index, novelty_store, watches=index.watches)
    outcomes = service.digest()
    sent = sum(o.status == STATUS_SENT for o in outcomes)
    failed = [o for o in outcomes if o.status == STATUS_FAILED]
    metrics.add_metric(name="DigestsSent", unit=MetricUnit.Count, value=sent)
    if failed:  # raising makes the scheduler retry; sent digests are guarded and not resent
        raise RuntimeError(f"{len(failed)} digest(s) failed: {failed[0].error}")
    return {"digests_sent": sent}
