"""Where clusters live: the NoveltyStore protocol and its in-memory implementation.

Every mutation is a conditional or set-union write, so the same sequence of calls from two
concurrent workers (or a replay) converges: creating a cluster that exists fails instead of
overwriting it, joining a cluster adds to sets (adding twice is adding once), and a merge only
happens when neither side has been merged already. ``store/dynamo_cluster_index.py`` maps the same operations
onto DynamoDB condition and update expressions.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol


@dataclass
class Member:
    """One claim joining a cluster."""

    claim_id: str
    article_id: str | None = None
    outlet: str | None = None
    source_key: str = ""
    development: dict | None = None  # a denial / confirmation this claim brings to the cluster


@dataclass
class ClusterRecord:
    cluster_id: str
    first_seen: str  # ISO 8601
    first_claim: str
    stance: str = "assert"  # the founding claim's stance
    source_key: str = ""
    source_name: str | None = None
    content: str = ""  # the founding claim's content (shown in digests)
    signature: tuple = ()
    places: frozenset = frozenset()
    actors: frozenset = frozenset()
    outlets: set = field(default_factory=set)
    articles: set = field(default_factory=set)
    claims: set = field(default_factory=set)
    sources: set = field(default_factory=set)
    developments: list = field(default_factory=list)  # list[dict], oldest first
    merged_into: str | None = None
    identity: str = ""  # the founding claim's Identity as JSON ("" for clusters stored before it)


class ClusterMerged(Exception):
    def __init__(self, cluster_id: str, merged_into: str):
        super().__init__(f"cluster {cluster_id} was merged into {merged_into}")
        self.cluster_id = cluster_id
        self.merged_into = merged_into


def split_sketch(text: str | None) -> tuple:
    """(lexical sketch, "~"-prefixed structured features) of what a band entry carries; a
    cluster found under both kinds of key carries both, concatenated."""
    lexical, _, features = (text or "").partition("~")
    return lexical, ("~" + features) if features else ""


def combine_sketches(a: str | None, b: str | None) -> str:
    lex_a, feat_a = split_sketch(a)
    lex_b, feat_b = split_sketch(b)
    return (lex_a or lex_b) + (feat_a or feat_b)


def add_candidates(found: dict, filed: dict) -> dict:
    """Merge the entries of one band item into ``found`` (cluster id -> combined sketch)."""
    for cluster_id, sketch in filed.items():
        found[cluster_id] = combine_sketches(found.get(cluster_id), sketch)
    return found


def encode_development(dev: dict) -> str:
    # Canonical JSON: the same development from a replay is the same string, so a set keeps one.
    return json.dumps(dev, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decode_developments(values: Iterable[str]) -> list:
    devs = [json.loads(v) for v in values or ()]
    return sorted(devs, key=lambda d: (d.get("published") or "", d.get("claim_id") or ""))


class NoveltyStore(Protocol):
    def candidates(self, keys: list, consistent: bool = True) -> dict:
        """cluster_id -> sketch ("" when none was filed; band sketch and structured features
        combined when filed under both kinds of key) for the clusters filed under any of these
        lookup keys: one key-value read per key, never a scan. ``consistent=False`` allows a
        slightly stale answer (cheaper): a cluster filed a moment ago may be missing."""

    def get_clusters(self, cluster_ids: Iterable[str], consistent: bool = True) -> dict:
        """cluster_id -> ClusterRecord for the ids that exist."""

    def create_cluster(self, record: ClusterRecord) -> bool:
        """Write a new cluster unless one with this id exists; True when this call created it."""

    def index_cluster(
        self, cluster_id: str, keys: list, sketch: str = "", structured: tuple = (), features: str = ""
    ) -> dict:
        """File the cluster under its band keys with ``sketch`` and under its ``structured`` keys
        with ``features`` (idempotent; structured entries live only for the matching window) and
        return what was filed under them before, as ``candidates`` does (other clusters only),
        read atomically with each key's write: of two clusters filed under one key at once, the
        later sees the earlier."""

    def add_member(self, cluster_id: str, member: Member) -> ClusterRecord:
        """Add a claim to a cluster (set union: idempotent) and return the updated record.
        Raises ClusterMerged when the cluster was merged into another, KeyError when absent."""

    def merge(self, loser_id: str, winner_id: str) -> bool:
        """Atomically mark loser as merged into winner, only if neither is merged yet, then
        fold the loser's members into the winner. False when the condition failed."""


class InMemoryNoveltyStore:
    """A thread-safe NoveltyStore for tests, the CLI and benchmarks."""

    def __init__(self):
        self._lock = threading.RLock()
        self._index: dict = {}  # lookup key -> {cluster id: sketch}
        self._clusters: dict = {}
        self.lookups = 0  # key lookups served: lets tests assert "one per band, no scan"
        self.index_writes = 0  # key writes
        self.clusters_read = 0  # cluster records asked for

    def candidates(self, keys: list, consistent: bool = True) -> dict:
        with self._lock:
            self.lookups += len(keys)
            found: dict = {}
            for key in keys:
                add_candidates(found, self._index.get(key, {}))
            return found

    def get_clusters(self, cluster_ids: Iterable[str], consistent: bool = True) -> dict:
        cluster_ids = set(cluster_ids)
        with self._lock:
            self.clusters_read += len(cluster_ids)
            return {cid: self._copy(self._clusters[cid]) for cid in cluster_ids if cid in self._clusters}

    def create_cluster(self, record: ClusterRecord) -> bool:
        with self._lock:
            if record.cluster_id in self._clusters:
                return False
            self._clusters[record.cluster_id] = self._copy(record)
            return True

    def index_cluster(
        self, cluster_id: str, keys: list, sketch: str = "", structured: tuple = (), features: str = ""
    ) -> dict:
        with self._lock:
            entries = [(k, sketch) for k in keys] + [(k, features) for k in structured]
            self.index_writes += len(entries)
            before: dict = {}
            for key, value in entries:
                filed = self._index.setdefault(key, {})
                add_candidates(before, filed)
                filed[cluster_id] = value
            before.pop(cluster_id, None)
            return before

    def add_member(self, cluster_id: str, member: Member) -> ClusterRecord:
        with self._lock:
            rec = self._clusters[cluster_id]
            if rec.merged_into:
                raise ClusterMerged(cluster_id, rec.merged_into)
            rec.claims.add(member.claim_id)
            if member.article_id:
                rec.articles.add(member.article_id)
            if member.outlet:
                rec.outlets.add(member.outlet)
            if member.source_key:
                rec.sources.add(member.source_key)
            if member.development:
                encoded = {encode_development(d) for d in rec.developments}
                if encode_development(member.development) not in encoded:
                    rec.developments = decode_developments(encoded | {encode_development(member.development)})
            return self._copy(rec)

    def merge(self, loser_id: str, winner_id: str) -> bool:
        with self._lock:
            loser, winner = self._clusters.get(loser_id), self._clusters.get(winner_id)
            if not loser or not winner or loser.merged_into or winner.merged_into:
                return False
            loser.merged_into = winner_id
            winner.claims |= loser.claims
            winner.articles |= loser.articles
            winner.outlets |= loser.outlets
            winner.sources |= loser.sources
            return True

    @staticmethod
    def _copy(rec: ClusterRecord) -> ClusterRecord:
        return replace(
            rec,
            outlets=set(rec.outlets),
            articles=set(rec.articles),
            claims=set(rec.claims),
            sources=set(rec.sources),
            developments=[dict(d) for d in rec.developments],
        )
