"""Extract: a batch of articles from the article queue -> article text -> claims (spaCy,
places, actors) -> novelty clusters -> Claims and Mentions tables (batch writes).

Each article is processed at most once (Powertools idempotency keyed on article id + content
hash), claim ids are deterministic, and a poison article is retried a bounded number of times and
then forwarded to the DLQ with the reason. The work on one article is claimwatch.articles.
"""

import json

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from claimwatch.articles import ArticleProcessor
from claimwatch.feeds.http import SafeHttpClient
from claimwatch.model import Article
from claimwatch.pipeline import warm_up
from claimwatch.settings import ExtractSettings
from claimwatch.store import aws
from claimwatch.store.article_text import ArticleTextStore
from claimwatch.store.claims import ClaimStore
from claimwatch.store.dynamo_cluster_index import DynamoNoveltyStore
from claimwatch.store.queues import DeadLetterQueue

logger = Logger()
tracer = Tracer(patch_modules=aws.TRACED_MODULES)
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)

settings = ExtractSettings.from_env()
# our DynamoDB client: a client of its own would come from a new boto3 session, which parses the
# service model again
persistence = DynamoDBPersistenceLayer(table_name=settings.idempotency_table, boto3_client=aws.client("dynamodb"))
idempotency = IdempotencyConfig(event_key_jmespath="[article_id, content_hash]", expires_after_seconds=7 * 24 * 3600)

articles = ArticleProcessor(
    http_client=SafeHttpClient.from_settings(settings),
    texts=ArticleTextStore(settings.article_bucket),
    novelty=DynamoNoveltyStore(settings.novelty_table),
    claims=ClaimStore(settings.claims_table, settings.mentions_table),
)
# Without a DLQ URL a failing article is left to the queue's redrive policy alone.
dead_letters = DeadLetterQueue(settings.article_dlq_url) if settings.article_dlq_url else None
warm_up()  # model, gazetteer and actors in the init phase, not in the first article's time


@idempotent_function(data_keyword_argument="article", config=idempotency, persistence_store=persistence)
def extract_article(article: dict) -> dict:
    return articles.process(Article.from_dict(article)).to_dict()


@tracer.capture_method
def record_handler(record: SQSRecord) -> dict:
    try:
        result = extract_article(article=json.loads(record.body))
    except Exception as error:
        receives = int(record.attributes.approximate_receive_count or 1)
        logger.exception("article failed", extra={"message_id": record.message_id, "receives": receives})
        metrics.add_metric(name="ArticleFailures", unit=MetricUnit.Count, value=1)
        if dead_letters and receives >= settings.article_max_receives:
            # last attempt: park it with the reason instead of retrying
            dead_letters.forward(record.body, error, record.attributes.approximate_receive_count)
            return {"dead_lettered": True}
        raise
    metrics.add_metric(name="Claims", unit=MetricUnit.Count, value=result["claims"])
    return result


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> PartialItemFailureResponse:
    idempotency.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
