"""NoveltyStore on DynamoDB (NoveltyTable: HASH ``pk``, RANGE ``sk``).

Items:
- band items ``pk = band#<i>#<hash>``, ``sk = index``: one small item per band key whose string
  set ``clusters`` accumulates ``<cluster id>:<expiry day>:<sketch>`` entries. The key is fully
  known, so a claim's band items are read with one BatchGetItem (eventually consistent: half the
  units of the strongly consistent Query per band used before) and filed with one UpdateItem per
  band that also returns the entries filed before it (``UPDATED_OLD``, no extra read units): that
  is the race re-check after founding a cluster;
- cluster items ``pk = cluster#<id>``, ``sk = meta``: founder data (signature, places, actors,
  stance, source), first_seen, and string sets of outlets, articles, claims, sources and
  developments (canonical JSON strings).

Correctness under concurrent extract invocations and replays comes from the write shapes:
create is ``attribute_not_exists(pk)``; joining is ``ADD`` to string sets (adding a claim twice
adds it once, so replays never inflate counts) guarded by ``attribute_not_exists(merged_into)``;
a merge is one transaction that marks the loser and records it on the winner, both conditional
on neither being merged already.
The first lookup may read stale band items (a cluster filed a moment ago may be missing): the
filing write then sees it, strongly consistent by nature. Rivals found there are read strongly.
Every item carries ``expires_at`` (epoch seconds) for the table's TTL: a claim re-reported after
``ttl_days`` counts as new again. A band item lives on while new clusters are filed under it, so
each entry carries its own expiry day: expired entries are skipped on reads and removed by the
next filing that sees them. A band item holds at most BAND_CAPACITY entries: a key that many
unrelated claims share (common words, a much-reported place) stops taking new clusters, which
are still filed under their other bands; filing there still returns what it holds.
Structured keys (``event#<type>#<hash>``: event type and place, or event type and figure) are
items of the same shape whose entries carry the claim's identity features instead of a sketch
and expire after the matching window (a few days), so a busy town's key keeps room.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError

from claimwatch.novelty.cluster_index import (
    ClusterMerged,
    ClusterRecord,
    Member,
    add_candidates,
    decode_developments,
    encode_development,
)
from claimwatch.novelty.fingerprint import decode_signature, encode_signature
from claimwatch.novelty.identity import WINDOW_DAYS
from claimwatch.store import aws

META = "meta"
BAND_SK = "index"
# Entries a band item holds at most: 15 entries of 63 bytes keep it under 1 KB, so filing costs
# 1 WCU and reading half an RCU however common the band key is (and far from the 400 KB limit).
BAND_CAPACITY = 15
# Structured entries are shorter (at most 49 bytes, about 40 typically: no MinHash sketch), so
# 18 of them keep the item under 1 KB too.
STRUCTURED_CAPACITY = 18
_DAY = 86400
_SETS = ("outlets", "articles", "claims", "sources")


def cluster_key(cluster_id: str) -> dict:
    return {"pk": f"cluster#{cluster_id}", "sk": META}


def _is_condition_failure(err: ClientError) -> bool:
    return err.response.get("Error", {}).get("Code") in (
        "ConditionalCheckFailedException",
        "TransactionCanceledException",
    )


def record_to_item(rec: ClusterRecord, expires_at: int) -> dict:
    item = {
        **cluster_key(rec.cluster_id),
        "cluster_id": rec.cluster_id,
        "first_seen": rec.first_seen,
        "first_claim": rec.first_claim,
        "stance": rec.stance,
        "source_key": rec.source_key,
        "source_name": rec.source_name or "",
        "content": rec.content,
        "signature": encode_signature(rec.signature),
        "expires_at": expires_at,
    }
    if rec.identity:
        item["identity"] = rec.identity
    for name, values in (("places", rec.places), ("actors", rec.actors), *((s, getattr(rec, s)) for s in _SETS)):
        if values:  # DynamoDB rejects empty sets
            item[name] = set(values)
    if rec.developments:
        item["developments"] = {encode_development(d) for d in rec.developments}
    if rec.merged_into:
        item["merged_into"] = rec.merged_into
    return item


def item_to_record(item: dict) -> ClusterRecord:
    return ClusterRecord(
        cluster_id=item["cluster_id"],
        first_seen=item["first_seen"],
        first_claim=item["first_claim"],
        stance=item.get("stance", "assert"),
        source_key=item.get("source_key", ""),
        source_name=item.get("source_name") or None,
        content=item.get("content", ""),
        signature=decode_signature(item.get("signature")),
        places=frozenset(item.get("places", ())),
        actors=frozenset(item.get("actors", ())),
        outlets=set(item.get("outlets", ())),
        articles=set(item.get("articles", ())),
        claims=set(item.get("claims", ())),
        sources=set(item.get("sources", ())),
        developments=decode_developments(item.get("developments", ())),
        merged_into=item.get("merged_into"),
        identity=item.get("identity", ""),
    )


class DynamoNoveltyStore:
    def __init__(self, table_name: str, dynamodb=None, ttl_days: int = 30, max_parallel_writes: int = 10):
        self.dynamodb = dynamodb or aws.resource("dynamodb")
        self.table_name = table_name
        self.table = self.dynamodb.Table(table_name)
        self.ttl_seconds = ttl_days * 86400
        self._pool = ThreadPoolExecutor(max_workers=max_parallel_writes, thread_name_prefix="novelty-w")

    def _expires_at(self) -> int:
        return int(time.time()) + self.ttl_seconds

    @staticmethod
    def _today() -> int:
        return int(time.time()) // _DAY

    def _batch_get(self, keys: list, consistent: bool, **projection) -> list:
        """Every existing item of these keys (BatchGetItem in chunks, unprocessed keys retried)."""
        return aws.batch_get_all(self.dynamodb, self.table_name, keys, ConsistentRead=consistent, **projection)

    @staticmethod
    def _live_entries(entries, today: int) -> tuple:
        """({cluster id: sketch} of unexpired band entries, the expired entries as stored)."""
        live, expired = {}, set()
        for entry in entries or ():
            cluster_id, day, sketch = (entry.split(":", 2) + ["", ""])[:3]
            if day.isdigit() and int(day) < today:
                expired.add(entry)
            else:
                live[cluster_id] = sketch
        return live, expired

    def candidates(self, keys: list, consistent: bool = True) -> dict:
        # One BatchGetItem for all band keys: each band item is billed the minimum read unit.
        today = self._today()
        found: dict = {}
        items = self._batch_get(
            [{"pk": key, "sk": BAND_SK} for key in sorted(set(keys))],
            consistent,
            ProjectionExpression="#c",
            ExpressionAttributeNames={"#c": "clusters"},
        )
        for item in items:
            add_candidates(found, self._live_entries(item.get("clusters"), today)[0])
        return found

    def get_clusters(self, cluster_ids: Iterable[str], consistent: bool = True) -> dict:
        keys = [cluster_key(c) for c in sorted(set(cluster_ids))]
        return {item["cluster_id"]: item_to_record(item) for item in self._batch_get(keys, consistent)}

    def create_cluster(self, record: ClusterRecord) -> bool:
        try:
            self.table.put_item(
                Item=record_to_item(record, self._expires_at()), ConditionExpression="attribute_not_exists(pk)"
            )
            return True
        except ClientError as err:
            if _is_condition_failure(err):
                return False
            raise

    def _file(self, key: str, entry: str, expires_at: int, capacity: int = BAND_CAPACITY) -> dict:
        """Add one entry to a band item; the live entries it held before (read with the write).
        A full band item (BAND_CAPACITY entries: a band key that many unrelated claims share,
        so one that says little) is left as it is, and its entries are still returned."""
        # The low-level client: boto3 clients are thread-safe, resources are not. (The resource's
        # own client still takes and returns plain Python values.)
        client = self.dynamodb.meta.client
        names = {"#c": "clusters"}
        try:
            resp = client.update_item(
                TableName=self.table_name,
                Key={"pk": key, "sk": BAND_SK},
                UpdateExpression="ADD #c :e SET expires_at = :x",
                ConditionExpression="attribute_not_exists(#c) OR size(#c) < :cap",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={":e": {entry}, ":x": expires_at, ":cap": capacity},
                ReturnValues="UPDATED_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            before = resp.get("Attributes", {}).get("clusters")
        except ClientError as err:
            if not _is_condition_failure(err):
                raise
            before = err.response.get("Item", {}).get("clusters", {}).get("SS")  # error items stay typed
        live, expired = self._live_entries(before, self._today())
        if expired:  # entries of clusters past their TTL: drop them, making room for new ones
            client.update_item(
                TableName=self.table_name,
                Key={"pk": key, "sk": BAND_SK},
                UpdateExpression="DELETE #c :old",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={":old": expired},
            )
        return live

    def index_cluster(
        self, cluster_id: str, keys: list, sketch: str = "", structured: tuple = (), features: str = ""
    ) -> dict:
        expires_at = self._expires_at()
        # A structured entry is kept a day past the window: the day a claim is filed counts.
        window_end = self._today() + WINDOW_DAYS + 1
        jobs = [
            (key, f"{cluster_id}:{expires_at // _DAY}:{sketch}", expires_at, BAND_CAPACITY) for key in sorted(set(keys))
        ]
        jobs += [
            (key, f"{cluster_id}:{window_end}:{features}", expires_at, STRUCTURED_CAPACITY)
            for key in sorted(set(structured) - set(keys))
        ]
        # One UpdateItem per key, side by side: the latency of one write, not twelve.
        filed: dict = {}
        for live in self._pool.map(lambda job: self._file(*job), jobs):
            add_candidates(filed, live)
        filed.pop(cluster_id, None)
        return filed

    def _add_sets(self, cluster_id: str, sets: dict, condition: str | None):
        names, values, adds = {}, {}, []
        for i, (attr, vals) in enumerate(sorted(sets.items())):
            if vals:
                names[f"#s{i}"], values[f":s{i}"] = attr, set(vals)
                adds.append(f"#s{i} :s{i}")
        kwargs = {"ConditionExpression": condition} if condition else {}
        return self.table.update_item(
            Key=cluster_key(cluster_id),
            UpdateExpression="ADD " + ", ".join(adds),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
            **kwargs,
        )["Attributes"]

    def add_member(self, cluster_id: str, member: Member) -> ClusterRecord:
        sets = {
            "claims": {member.claim_id},
            "articles": {member.article_id} if member.article_id else set(),
            "outlets": {member.outlet} if member.outlet else set(),
            "sources": {member.source_key} if member.source_key else set(),
            "developments": {encode_development(member.development)} if member.development else set(),
        }
        try:
            item = self._add_sets(cluster_id, sets, "attribute_exists(pk) AND attribute_not_exists(merged_into)")
        except ClientError as err:
            if not _is_condition_failure(err):
                raise
            current = self.table.get_item(Key=cluster_key(cluster_id), ConsistentRead=True).get("Item")
            if current is None:
                raise KeyError(cluster_id) from None
            raise ClusterMerged(cluster_id, current["merged_into"]) from None
        return item_to_record(item)

    def merge(self, loser_id: str, winner_id: str) -> bool:
        unmerged = "attribute_exists(pk) AND attribute_not_exists(merged_into)"
        # The resource's client serialises plain Python values (no {"S": ...} type wrappers).
        client = self.dynamodb.meta.client
        items = [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": cluster_key(loser_id),
                    "UpdateExpression": "SET merged_into = :w",
                    "ConditionExpression": unmerged,
                    "ExpressionAttributeValues": {":w": winner_id},
                }
            },
            # An Update rather than a ConditionCheck: it records the merge on the winner too, and
            # needs only dynamodb:UpdateItem (SAM's DynamoDBWritePolicy), not ConditionCheckItem.
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": cluster_key(winner_id),
                    "UpdateExpression": "ADD absorbed :l",
                    "ConditionExpression": unmerged,
                    "ExpressionAttributeValues": {":l": {loser_id}},
                }
            },
        ]
        for attempt in range(6):
            try:
                client.transact_write_items(TransactItems=items)
                break
            except ClientError as err:
                reasons = {r.get("Code") for r in err.response.get("CancellationReasons", [])}
                if "ConditionalCheckFailed" in reasons:
                    return False
                if (
                    not reasons & {"TransactionConflict"}
                    and err.response["Error"]["Code"] != "TransactionConflictException"
                ):
                    raise
                # Two merges touching the same clusters at once: DynamoDB may cancel both. Back
                # off with jitter and try again; the conditions decide who wins.
                time.sleep(random.uniform(0.01, 0.05) * 2**attempt)
        else:
            return False
        # The loser takes no more members now (joins are conditional on it being unmerged):
        # fold what it has into the winner.
        loser = self.table.get_item(Key=cluster_key(loser_id), ConsistentRead=True)["Item"]
        folded = {name: loser.get(name, set()) for name in _SETS}
        if any(folded.values()):
            self._add_sets(winner_id, folded, None)
        return True
