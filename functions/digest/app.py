"""Digest: once per DigestRate, one message per digest watch listing its new claims by cluster.

Each (watch, period) digest is guarded by a conditional put, so a retried schedule never sends
a period's digest twice.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from claimwatch.alerts.service import STATUS_FAILED, STATUS_SENT
from claimwatch.settings import DigestSettings
from claimwatch.store import aws
from claimwatch.store.alerting import AlertWiring

logger = Logger()
tracer = Tracer(patch_modules=aws.TRACED_MODULES)
metrics = Metrics()

wiring = AlertWiring(DigestSettings.from_env())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    outcomes = wiring.service().digest()
    sent = sum(o.status == STATUS_SENT for o in outcomes)
    failed = [o for o in outcomes if o.status == STATUS_FAILED]
    metrics.add_metric(name="DigestsSent", unit=MetricUnit.Count, value=sent)
    if failed:  # raising makes Lambda retry the asynchronous invocation; sent digests are guarded and not resent
        raise RuntimeError(f"{len(failed)} digest(s) failed: {failed[0].error}")
    return {"digests_sent": sent}
