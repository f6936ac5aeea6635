"""Alert: new claims from the Claims table stream -> watches -> exactly-once SNS alerts.

The whole batch goes through one AlertService call so a burst of matches for one watch becomes one
message. Every send is guarded by a conditional put on (watch, cluster, kind), so a retried batch,
a redelivered record or a concurrent invocation never sends the same alert twice. Claims whose
alert failed, and records whose image is not a readable claim, are reported by sequence number;
the rest of the batch goes on. Lambda retries from the first reported record (bounded) and then
hands the range to the on-failure queue.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent, event_source
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecordEventName
from aws_lambda_powertools.utilities.typing import LambdaContext

from claimwatch.alerts.service import STATUS_FAILED, STATUS_SENT
from claimwatch.model import Claim
from claimwatch.settings import AlertSettings
from claimwatch.store import aws
from claimwatch.store.alerting import AlertWiring
from claimwatch.store.article_text import ArticleTextStore
from claimwatch.store.claims import claim_from_item

logger = Logger()
tracer = Tracer(patch_modules=aws.TRACED_MODULES)
metrics = Metrics()

settings = AlertSettings.from_env()
wiring = AlertWiring(settings)
texts = ArticleTextStore(settings.article_bucket)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=DynamoDBStreamEvent)
def lambda_handler(event: DynamoDBStreamEvent, context: LambdaContext) -> dict:
    claims: list[Claim] = []
    sequence_of: dict[str | None, str | None] = {}
    unreadable: list[str | None] = []
    for record in event.records:
        stream = record.dynamodb
        try:
            if stream is None:
                raise ValueError("record without its dynamodb section")
            if record.event_name != DynamoDBRecordEventName.INSERT or not stream.new_image:
                continue
            claim = claim_from_item(stream.new_image)
        except Exception:  # a malformed image fails its own record, not the batch
            sequence = (record.raw_event.get("dynamodb") or {}).get("SequenceNumber")
            logger.exception("unreadable claim image", extra={"sequence_number": sequence})
            unreadable.append(sequence)
            continue
        claims.append(claim)
        sequence_of[claim.id] = stream.sequence_number
    outcomes = wiring.service(article_text=texts.get).handle(claims)
    failed = {o.claim_id for o in outcomes if o.status == STATUS_FAILED}
    metrics.add_metric(name="AlertsSent", unit=MetricUnit.Count, value=sum(o.status == STATUS_SENT for o in outcomes))
    if failed:
        metrics.add_metric(name="AlertFailures", unit=MetricUnit.Count, value=len(failed))
        logger.warning("alerts failed", extra={"errors": [o.error for o in outcomes if o.status == STATUS_FAILED]})
    if unreadable:
        metrics.add_metric(name="UnreadableClaims", unit=MetricUnit.Count, value=len(unreadable))
    failures = unreadable + [sequence_of[cid] for cid in failed if cid in sequence_of]
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failures]}
