"""Extract: a batch of articles from the article queue -> article text -> claims (spaCy,
places, actors) -> novelty clusters -> Claims and Mentions tables (batch writes).

Each article is processed at most once (Powertools idempotency keyed on article id + content
hash), claim ids are deterministic, and a poison article is retried a bounded number of times and
then forwarded to the DLQ with the reason.
"""

import json
from datetime import datetime, timezone

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from claimwatch.feeds.content import article_text
from claimwatch.feeds.http import SafeHttpClient
from claimwatch.model import Article
from claimwatch.novelty import assign_cluster
from claimwatch.pipeline import analyze, warm_up
from claimwatch.settings import ExtractSettings
from claimwatch.store import aws
from claimwatch.store.article_text import ArticleTextStore
from claimwatch.store.claims import ClaimStore
from claimwatch.store.novelty import DynamoNoveltyStore

logger = Logger()
tracer = Tracer(patch_modules=aws.TRACED_MODULES)
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)

# our DynamoDB client: a client of its own would come from a new boto3 session, which parses the
# service model again
settings = ExtractSettings.from_env()
persistence = DynamoDBPersistenceLayer(table_name=settings.idempotency_table, boto3_client=aws.client("dynamodb"))
idempotency = IdempotencyConfig(event_key_jmespath="[article_id, content_hash]", expires_after_seconds=7 * 24 * 3600)

claims_store = ClaimStore(settings.claims_table, settings.mentions_table)
novelty_store = DynamoNoveltyStore(settings.novelty_table)
texts = ArticleTextStore(settings.article_bucket)
http_client = SafeHttpClient.from_settings(settings)
sqs = aws.client("sqs")
DLQ_URL = settings.article_dlq_url
MAX_RECEIVES = settings.article_max_receives
warm_up()  # model, gazetteer and actors in the init phase, not in the first article's time


def publication_date(value):
    """The date relative dates resolve against; an odd date string is not worth failing an article."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date() if value else None
    except ValueError:
        logger.warning("unparseable publication date", extra={"published": value})
        return None


@idempotent_function(data_keyword_argument="article", config=idempotency, persistence_store=persistence)
def extract_article(article: dict) -> dict:
    art = Article.from_dict(article)
    text = article_text(art, http_client)
    texts.put(art.article_id, text.text)
    provenance = art.provenance()
    provenance.url = text.canonical_url or provenance.url
    provenance.title = text.title or provenance.title
    provenance.published = text.published or provenance.published
    provenance.outlet = text.outlet or provenance.outlet
    published = publication_date(provenance.published)
    claims = analyze(text.text, published=published, provenance=provenance)
    now = datetime.now(timezone.utc)
    new_clusters = 0
    for claim in claims:
        cluster = assign_cluster(claim, novelty_store, outlet=provenance.outlet, now=now)
        claim.cluster_id = cluster.cluster_id
        new_clusters += bool(cluster.is_new)
    claims_store.put_claims(claims)
    return {"article_id": art.article_id, "claims": len(claims), "new_clusters": new_clusters}


def forward_to_dlq(record: SQSRecord, error: Exception) -> None:
    sqs.send_message(
        QueueUrl=DLQ_URL,
        MessageBody=record.body,
        MessageAttributes={
            "error_type": {"DataType": "String", "StringValue": type(error).__name__},
            "error_reason": {"DataType": "String", "StringValue": str(error)[:1000] or type(error).__name__},
            "receive_count": {"DataType": "Number", "StringValue": str(record.attributes.approximate_receive_count)},
        },
    )


@tracer.capture_method
def record_handler(record: SQSRecord) -> dict:
    try:
        result = extract_article(article=json.loads(record.body))
    except Exception as error:
        receives = int(record.attributes.approximate_receive_count or 1)
        logger.exception("article failed", extra={"message_id": record.message_id, "receives": receives})
        metrics.add_metric(name="ArticleFailures", unit=MetricUnit.Count, value=1)
        if DLQ_URL and receives >= MAX_RECEIVES:
            forward_to_dlq(record, error)  # last attempt: park it with the reason instead of retrying
            return {"dead_lettered": True}
        raise
    metrics.add_metric(name="Claims", unit=MetricUnit.Count, value=result["claims"])
    return result


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    idempotency.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
