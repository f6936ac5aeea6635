"""AlertStore on DynamoDB (AlertsTable: HASH ``pk``, RANGE ``sk``).

- ledger items ``pk = <watch id>``, ``sk = <cluster id>#<kind>`` (or ``digest#<period>``): the
  conditional put in ``try_claim`` is the exactly-once guard for a (watch, cluster, kind) alert;
- digest items ``pk = digest#<watch id>``, ``sk = <cluster id>#<claim id>``: claims waiting for
  the watch's next digest (the claim as a JSON string: no float/Decimal conversions).

Items carry ``expires_at`` (epoch seconds) for the table's TTL. The ledger outlives the novelty
clusters (30 days by default), so a cluster can never alert twice while it is remembered.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from claimwatch.alerts.ledger import PENDING, SENT
from claimwatch.store import aws


def _condition_failed(err: ClientError) -> bool:
    return err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class DynamoAlertStore:
    def __init__(self, table_name: str, dynamodb=None, ledger_ttl_days: int = 45, pending_ttl_days: int = 14):
        self.table = (dynamodb or aws.resource("dynamodb")).Table(table_name)
        self.ledger_ttl = ledger_ttl_days * 86400
        self.pending_ttl = pending_ttl_days * 86400

    def try_claim(self, watch_id: str, key: str, now: datetime, lease: timedelta) -> bool:
        try:
            self.table.put_item(
                Item={
                    "pk": watch_id,
                    "sk": key,
                    "status": PENDING,
                    "lease_until": (now + lease).isoformat(),
                    "expires_at": int(time.time()) + self.ledger_ttl,
                },
                # Free, or a claim whose holder died before publishing (lease over).
                ConditionExpression="attribute_not_exists(pk) OR (#st = :pending AND lease_until < :now)",
                ExpressionAttributeNames={"#st": "status"},
                ExpressionAttributeValues={":pending": PENDING, ":now": now.isoformat()},
            )
            return True
        except ClientError as err:
            if _condition_failed(err):
                return False
            raise

    def mark_sent(self, watch_id: str, key: str, message_id: str | None, now: datetime, status: str = SENT) -> None:
        item = {
            "pk": watch_id,
            "sk": key,
            "status": status,
            "sent_at": now.isoformat(),
            "expires_at": int(time.time()) + self.ledger_ttl,
        }
        if message_id:
            item["message_id"] = message_id
        self.table.put_item(Item=item)

    def release(self, watch_id: str, key: str) -> None:
        # End the lease now (an empty string sorts before any timestamp) so the retry can claim it;
        # an UpdateItem, so the function needs no DeleteItem permission.
        try:
            self.table.update_item(
                Key={"pk": watch_id, "sk": key},
                UpdateExpression="SET lease_until = :gone",
                ConditionExpression="#st = :pending",
                ExpressionAttributeNames={"#st": "status"},
                ExpressionAttributeValues={":pending": PENDING, ":gone": ""},
            )
        except ClientError as err:
            if not _condition_failed(err):
                raise

    def status(self, watch_id: str, key: str) -> str | None:
        item = self.table.get_item(Key={"pk": watch_id, "sk": key}, ConsistentRead=True).get("Item")
        if not item or (item["status"] == PENDING and not item.get("lease_until")):
            return None  # absent, or released after a failed publish
        return item["status"]

    def add_pending(self, watch_id: str, item_key: str, item: dict) -> None:
        self.table.put_item(
            Item={
                "pk": f"digest#{watch_id}",
                "sk": item_key,
                "recorded_at": item.get("recorded_at", ""),
                "data": json.dumps(item, ensure_ascii=False, default=str),
                "expires_at": int(time.time()) + self.pending_ttl,
            }
        )

    def pending(self, watch_id: str) -> dict:
        out: dict = {}
        kwargs: dict = {}
        while True:
            resp = self.table.query(
                KeyConditionExpression=Key("pk").eq(f"digest#{watch_id}"), ConsistentRead=True, **kwargs
            )
            for item in resp.get("Items", []):
                out[item["sk"]] = json.loads(item["data"])
            if "LastEvaluatedKey" not in resp:
                return out
            kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]

    def remove_pending(self, watch_id: str, item_keys) -> None:
        with self.table.batch_writer() as batch:
            for key in item_keys:
                batch.delete_item(Key={"pk": f"digest#{watch_id}", "sk": key})
