"""Novelty: alert on new claims, not new articles.

``fingerprint(claim)`` summarises a claim (source, places/actors, MinHash of its normalised
content); ``assign_cluster(claim, store, outlet, now)`` links restatements, paraphrases,
syndicated copies and edits to the first claim's cluster. See ``cluster.py`` for the rules.
"""

from claimwatch.novelty.cluster import ClusterResult, assign_cluster, lookup_cluster
from claimwatch.novelty.cluster_index import ClusterMerged, ClusterRecord, InMemoryNoveltyStore, Member, NoveltyStore
from claimwatch.novelty.fingerprint import Fingerprint, estimated_jaccard, fingerprint

__all__ = [
    "ClusterMerged",
    "ClusterRecord",
    "ClusterResult",
    "Fingerprint",
    "InMemoryNoveltyStore",
    "Member",
    "NoveltyStore",
    "assign_cluster",
    "estimated_jaccard",
    "fingerprint",
    "lookup_cluster",
]
