"""Claims and the "claims about X" index (one Mentions item per entity, time and claim)."""

from __future__ import annotations

from collections.abc import Iterable

from boto3.dynamodb.conditions import Key

from claimwatch.model import Claim
from claimwatch.resolve.normalize import name_key
from claimwatch.store import aws
from claimwatch.store.codec import from_item, to_item


def source_key(claim: Claim) -> str:
    """Who is speaking, as the BySource index keys it: the actor id, else the name's key."""
    return claim.source.actor_id or f"name:{name_key(claim.source.name or claim.source.text)}"


def sort_key(claim: Claim) -> str:
    """Newest-first order shared by the Mentions table and the BySource index."""
    return f"{claim.provenance.published or ''}#{claim.id}"


def claim_item(claim: Claim) -> dict:
    """The stored shape: keys and filterable scalars at top level, the full claim as a map.
    Index key attributes are left out when empty (DynamoDB refuses a NULL index key)."""
    prov = claim.provenance
    item = {
        "claim_id": claim.id,
        "article_id": prov.article_id,
        "published": prov.published,
        "source_name": claim.source.name or claim.source.text,
        "source_key": source_key(claim),
        "sort_key": sort_key(claim),
        "claim": claim.to_dict(),
    }
    if claim.cluster_id:
        item["cluster_id"] = claim.cluster_id
    return to_item(item)


def claim_from_item(item: dict) -> Claim:
    return Claim.from_dict(from_item(item["claim"]))


def mention_items(claim: Claim) -> list[dict]:
    return [
        {"entity_key": key, "sk": sort_key(claim), "claim_id": claim.id, "article_id": claim.provenance.article_id}
        for key in sorted(claim.entity_keys())
    ]


class ClaimStore:
    def __init__(self, claims_table: str, mentions_table: str, dynamodb=None):
        ddb = dynamodb or aws.resource("dynamodb")
        self.claims = ddb.Table(claims_table)
        self.mentions = ddb.Table(mentions_table)

    def put_claims(self, claims: Iterable[Claim]) -> int:
        """Batch-write claims and their mention index items. Ids are deterministic, so a replay
        rewrites identical items (DynamoDB emits no stream record for an unchanged item)."""
        claims = list(claims)
        with self.claims.batch_writer(overwrite_by_pkeys=["claim_id"]) as batch:
            for claim in claims:
                batch.put_item(Item=claim_item(claim))
        with self.mentions.batch_writer(overwrite_by_pkeys=["entity_key", "sk"]) as batch:
            for claim in claims:
                for item in mention_items(claim):
                    batch.put_item(Item=item)
        return len(claims)

    def get(self, claim_id: str) -> Claim | None:
        item = self.claims.get_item(Key={"claim_id": claim_id}).get("Item")
        return claim_from_item(item) if item else None

    def claims_about(self, entity_key: str, limit: int = 50) -> list[str]:
        """Newest first: claim ids that mention an entity (place id, actor id)."""
        resp = self.mentions.query(
            KeyConditionExpression=Key("entity_key").eq(entity_key), ScanIndexForward=False, Limit=limit
        )
        return [i["claim_id"] for i in resp.get("Items", [])]

    def scan_claims(self) -> list[Claim]:
        return [claim_from_item(i) for i in aws.scan_all(self.claims)]
