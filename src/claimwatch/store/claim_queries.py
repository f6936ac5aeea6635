"""Reads for the claims API: every request is a GetItem, a BatchGetItem or a Query on a key.

- Mentions table (``entity_key``, ``sk = published#claim_id``): claims about a place or actor,
  newest first, ``sk`` bounded by since/until and by the page cursor;
- Claims table, index ``BySource`` (``source_key``, ``sort_key`` = the same ``published#claim_id``):
  claims by who is speaking;
- Novelty table ``cluster#<id>`` items: a cluster's members and developments;
- Alerts table ``pk = <watch id>``: the alerts sent for a watch (the Atom feed);
- Watches table: GetItem per watch, index ``Listed`` for the list (no scan on a request path).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from boto3.dynamodb.conditions import Key

from claimwatch.alerts.ledger import SENT
from claimwatch.model import Claim
from claimwatch.novelty.cluster_index import ClusterRecord
from claimwatch.store import aws
from claimwatch.store.claims import claim_from_item
from claimwatch.store.codec import from_item
from claimwatch.store.dynamo_cluster_index import cluster_key, item_to_record
from claimwatch.store.watches import LISTED, LISTED_INDEX
from claimwatch.watch.watchlist import Watch

SOURCE_INDEX = "BySource"
_MAX_MERGE_HOPS = 5  # a cluster merged into one merged into another …: follow a few links, not forever


def _key_condition(name: str, value: str, sort: str, after: str | None, before: str | None):
    """``name = value`` and ``after <= sort < before`` (either bound may be absent)."""
    cond = Key(name).eq(value)
    if after and before:
        return cond & Key(sort).between(after, before)  # inclusive: the caller's bound excludes itself
    if after:
        return cond & Key(sort).gte(after)
    if before:
        return cond & Key(sort).lt(before)
    return cond


class ClaimQueries:
    def __init__(
        self,
        claims_table: str,
        mentions_table: str,
        novelty_table: str,
        alerts_table: str,
        watches_table: str,
        dynamodb=None,
    ):
        self.dynamodb = dynamodb or aws.resource("dynamodb")
        self.claims_name = claims_table
        self.claims = self.dynamodb.Table(claims_table)
        self.mentions = self.dynamodb.Table(mentions_table)
        self.novelty_name = novelty_table
        self.alerts = self.dynamodb.Table(alerts_table)
        self.watches = self.dynamodb.Table(watches_table)

    # ---------------------------------------------------------------- sort keys, newest first
    def _newest(
        self, query, name: str, value: str, sort: str, since: str | None, before: str | None, page: int
    ) -> Iterator[tuple[str, str]]:
        """(sort key, claim id) newest first, ``since <= sk < before``, one Query page at a time."""
        kwargs = {
            "KeyConditionExpression": _key_condition(name, value, sort, since, before),
            "ScanIndexForward": False,
            "Limit": page,
        }
        while True:
            resp = query(**kwargs)
            for item in resp.get("Items", []):
                if before and item[sort] >= before:  # `between` includes its upper bound
                    continue
                yield item[sort], item["claim_id"]
            if "LastEvaluatedKey" not in resp:
                return
            kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]

    def about(self, entity_key: str, since: str | None, before: str | None, page: int):
        """Claims mentioning a place or actor id (the Mentions table)."""
        return self._newest(self.mentions.query, "entity_key", entity_key, "sk", since, before, page)

    def by_source(self, source_key: str, since: str | None, before: str | None, page: int):
        """Claims whose source has this key (the Claims table's BySource index, keys only)."""

        def query(**kwargs):
            return self.claims.query(IndexName=SOURCE_INDEX, **kwargs)

        return self._newest(query, "source_key", source_key, "sort_key", since, before, page)

    # ---------------------------------------------------------------- items
    def _batch_get(self, table_name: str, keys: list) -> list[dict]:
        return aws.batch_get_all(self.dynamodb, table_name, keys)  # eventually consistent: half the units

    def get_claims(self, claim_ids: Iterable[str]) -> dict[str, Claim]:
        """claim id -> Claim for the ids that exist."""
        keys = [{"claim_id": c} for c in dict.fromkeys(claim_ids)]
        return {item["claim_id"]: claim_from_item(item) for item in self._batch_get(self.claims_name, keys)}

    def get_clusters(self, cluster_ids: Iterable[str]) -> dict[str, ClusterRecord]:
        """cluster id as asked -> its record, or the record of the cluster it was merged into."""
        wanted = {c: c for c in dict.fromkeys(cluster_ids)}  # asked id -> id to read
        found: dict[str, ClusterRecord] = {}
        for _ in range(_MAX_MERGE_HOPS):
            todo = sorted({target for asked, target in wanted.items() if asked not in found})
            if not todo:
                break
            records = {
                r.cluster_id: r
                for r in map(item_to_record, self._batch_get(self.novelty_name, [cluster_key(c) for c in todo]))
            }
            for asked, target in list(wanted.items()):
                record = records.get(target)
                if asked in found or target not in todo:
                    continue
                if record is None:
                    wanted.pop(asked)
                elif record.merged_into:
                    wanted[asked] = record.merged_into
                else:
                    found[asked] = record
        return found

    def get_claim(self, claim_id: str) -> Claim | None:
        item = self.claims.get_item(Key={"claim_id": claim_id}).get("Item")
        return claim_from_item(item) if item else None

    def get_cluster(self, cluster_id: str) -> ClusterRecord | None:
        """The cluster, or the one it was merged into (which holds its members since the merge)."""
        return self.get_clusters([cluster_id]).get(cluster_id)

    # ---------------------------------------------------------------- watches and their alerts
    def get_watch(self, watch_id: str) -> Watch | None:
        item = self.watches.get_item(Key={"watch_id": watch_id}).get("Item")
        return _watch_from_item(item) if item else None

    def list_watches(self) -> list[Watch]:
        out, kwargs = [], {"IndexName": LISTED_INDEX, "KeyConditionExpression": Key("listed").eq(LISTED)}
        while True:
            resp = self.watches.query(**kwargs)
            out += [_watch_from_item(item) for item in resp.get("Items", [])]
            if "LastEvaluatedKey" not in resp:
                return out
            kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]

    def sent_alerts(self, watch_id: str, limit: int) -> list[dict]:
        """The watch's sent alerts, newest first: {key, cluster_id, kind, detail, sent_at}. The ledger is keyed
        by cluster, not time (45 days of it, one small item per alert): read it, then sort."""
        sent, kwargs = [], {"KeyConditionExpression": Key("pk").eq(watch_id)}
        while True:
            resp = self.alerts.query(**kwargs)
            for item in resp.get("Items", []):
                # <cluster>#<kind>, <cluster>#development#<denial|confirmation|…>#<source>, digest#<period>
                cluster_id, _, rest = item["sk"].partition("#")
                kind, _, detail = rest.partition("#")
                if item.get("status") == SENT and cluster_id != "digest" and kind:
                    sent.append(
                        {
                            "key": item["sk"],
                            "cluster_id": cluster_id,
                            "kind": kind,
                            "detail": detail.partition("#")[0],
                            "sent_at": item.get("sent_at", ""),
                        }
                    )
            if "LastEvaluatedKey" not in resp:
                break
            kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
        return sorted(sent, key=lambda a: a["sent_at"], reverse=True)[:limit]


def _watch_from_item(item: dict) -> Watch:
    data = from_item(item)
    for stored_only in ("watch_id", "listed"):
        data.pop(stored_only, None)
    return Watch.from_dict(data)
