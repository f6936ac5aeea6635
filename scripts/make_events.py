"""Regenerate the event fixtures in events/ that carry claimwatch data (run after a model change).

`events/extract/article_batch.json`: an SQS batch with two articles from the fictional demo feed
plus one poison message. `events/alert/claim_insert.json`: a DynamoDB stream batch with INSERTs of
the claims the real extractor finds in the first of those articles. Both are valid for
`sam local invoke -e` and are what the handler tests invoke the handlers with.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from boto3.dynamodb.types import TypeSerializer

from claimwatch.feeds.parse import parse_feed
from claimwatch.pipeline import analyze
from claimwatch.store.claims import claim_item

REPO = Path(__file__).resolve().parents[1]
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:claimwatch-ArticleQueue"
STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/claimwatch-ClaimsTable/stream/2026-11-26T00:00:00.000"


def sqs_record(n: int, body: str) -> dict:
    return {
        "messageId": f"0c7e7f4a-0000-4000-8000-{n:012d}",
        "receiptHandle": f"AQEBreceipt{n}",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1764115200000",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": "1764115200001",
        },
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": "us-east-1",
    }


def main() -> int:
    feed = parse_feed(
        (REPO / "seeds/demo/feeds/donbas-wire.poll1.xml").read_bytes(),
        url="https://donbaswire.example/feed.xml",
        feed_id="demo-donbas-wire",
        outlet="Donbas Wire (fictional)",
    )
    articles = feed.articles[:2]
    bodies = [json.dumps(a.to_dict(), ensure_ascii=False) for a in articles]
    bodies.append("{this is not an article")  # poison: fails every attempt
    (REPO / "events/extract/article_batch.json").write_text(
        json.dumps({"Records": [sqs_record(i + 1, b) for i, b in enumerate(bodies)]}, indent=2, ensure_ascii=False)
        + "\n"
    )

    from claimwatch.feeds.content import html_to_text

    first = articles[0]
    claims = analyze(html_to_text(first.content), provenance=first.provenance())
    ser = TypeSerializer()
    records = []
    for i, claim in enumerate(claims):
        item = claim_item(claim)
        image = {k: ser.serialize(v) for k, v in item.items() if v is not None}
        records.append(
            {
                "eventID": f"{i + 1:032x}",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1764115200,
                    "Keys": {"claim_id": {"S": claim.id}},
                    "NewImage": image,
                    "SequenceNumber": f"{1000000 + i:021d}",
                    "SizeBytes": len(json.dumps(image)),
                    "StreamViewType": "NEW_IMAGE",
                },
                "eventSourceARN": STREAM_ARN,
            }
        )
    (REPO / "events/alert/claim_insert.json").write_text(
        json.dumps({"Records": records}, indent=2, ensure_ascii=False) + "\n"
    )
    print(f"wrote {len(bodies)} article messages and {len(records)} claim INSERT records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
