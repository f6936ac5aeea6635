"""Assign each claim to a cluster of restatements: a claim is "new" only when it founds one.

Star clustering around the founding claim: only founders are filed under their lookup keys (LSH
bands and structured keys, see fingerprint.py), and a later claim joins a cluster when (1) it
shares a key with the founder (one read per key, never a scan), (2) their places and actors
agree and nothing in their identities contradicts (another figure, date, part of town, event
type or target of a strike: identity.py), and (3) either the MinHash estimate of their content
Jaccard similarity
reaches a threshold, lower when both name the same source (a wire copy or paraphrase of one
statement) than when the speakers differ (a second side saying the same thing: a confirmation,
or a denial when the stance flips), or their identities match: the same event type at the same
place (or with the same figure), said by the same speaker or side within a few days, or denied by
anyone. That second way is what joins a ministry's
bulletin, the quoted statement that follows its summary, and the other side's re-report in other
words and spellings.

Concurrency: a new cluster's id is derived from the claim's normalised content and entities, so
two workers that see the same new claim try to create the same item; the store's conditional
create lets one win and the other adopts it. Two workers that see *different* wordings of one
new claim at once each create a cluster and file it under its band keys; filing a key returns
what was filed under it before, atomically, so of two clusters sharing a key the later one to be
filed sees the other (no second lookup needed). It merges its cluster into the other with a
conditional write that fails if either has been merged already, so exactly one survives. With three
or more racing wordings a worker may join a cluster that merges into another a moment later: readers therefore resolve a
claim's cluster id with ``lookup_cluster``, which follows ``merged_into`` to the survivor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from claimwatch.model import Claim, stable_id
from claimwatch.novelty.cluster_index import ClusterMerged, ClusterRecord, Member, NoveltyStore, split_sketch
from claimwatch.novelty.fingerprint import (
    Fingerprint,
    estimated_jaccard,
    fingerprint,
    normalise_name,
    similar_names,
    sketch_similarity,
)
from claimwatch.novelty.identity import Identity, conflicts, may_be_same, same_speaker, within_window

SAME_SOURCE_THRESHOLD = 0.5
OTHER_SOURCE_THRESHOLD = 0.6
MIN_THRESHOLD = min(SAME_SOURCE_THRESHOLD, OTHER_SOURCE_THRESHOLD)
MAX_ATTEMPTS = 5
_CONTENT_CHARS = 500


@dataclass
class ClusterResult:
    cluster_id: str
    is_new: bool  # this claim founded the cluster (stable under replays of the same claim)
    outlets: int  # how many outlets carried the claim so far
    articles: int
    first_seen: str
    developments: list = field(default_factory=list)  # denials / confirmations, oldest first
    outlet_names: list = field(default_factory=list)
    similarity: float = 1.0  # estimated Jaccard with the founding claim
    development: dict | None = None  # the development this claim brought, if any
    content: str = ""  # the founding claim's content

    @classmethod
    def from_record(cls, rec: ClusterRecord, claim_id: str | None = None, **extra) -> ClusterResult:
        return cls(
            cluster_id=rec.cluster_id,
            is_new=claim_id is not None and rec.first_claim == claim_id,
            outlets=len(rec.outlets),
            articles=len(rec.articles),
            first_seen=rec.first_seen,
            developments=list(rec.developments),
            outlet_names=sorted(rec.outlets),
            content=rec.content,
            **extra,
        )


def _iso(now: datetime | None) -> str:
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).isoformat(timespec="seconds")


def _agree(mine: frozenset, theirs: frozenset) -> bool:
    # A restatement may drop a name ("the city"), but may not name a different one.
    return not mine or not theirs or bool(mine & theirs)


def _places_agree(fp: Fingerprint, rec: ClusterRecord, theirs: Identity) -> bool:
    """Towns decide when both name one ("Vuhledar, a town in the Donetsk region" / "Ugledar");
    otherwise any place, as ``_agree``."""
    mine_towns, their_towns = fp.place_keys - fp.identity.areas, rec.places - theirs.areas
    # Names nothing resolved (a village the gazetteer lacks, a town read as a person): two of them
    # with none in common are two places, whatever town both are near; one where the other claim
    # names a town this one lacks is most likely another place, not the same one left out.
    mine_unresolved, their_unresolved = _unresolved(fp.actor_keys), _unresolved(rec.actors)
    if mine_unresolved and their_unresolved and not mine_unresolved & their_unresolved:
        return False
    if (mine_unresolved - their_unresolved and their_towns - mine_towns) or (
        their_unresolved - mine_unresolved and mine_towns - their_towns
    ):
        return False
    if mine_towns and their_towns:
        return bool(mine_towns & their_towns)
    return _agree(fp.place_keys, rec.places)


def _unresolved(actor_keys) -> set:
    """Names found in the text but not in the curated actor table (``person:``/``org:`` ids)."""
    return {a for a in actor_keys if not a.startswith("actor:")}


def same_source(fp: Fingerprint, key: str, name: str | None) -> bool:
    """One speaker under two resolutions (actor id here, bare name there), two spellings, or two
    names of one state's voice ("Moscow", "Russia's Defence Ministry", "the ministry")."""
    return bool(fp.source_key) and (
        fp.source_key == key
        or similar_names(fp.source_name, name)
        or same_speaker(fp.source_key, fp.source_name, key, normalise_name(name))
    )


def identities_match(fp: Fingerprint, rec: ClusterRecord, theirs: Identity) -> bool:
    """The same claim in other words: same event type, anchored at the same town (or with the
    same figure), within the window, by the same speaker or side (any speaker for a denial).
    (``conflicts`` has ruled out another figure, date, part of town or target.)"""
    mine = fp.identity
    if not theirs.known or mine.event != theirs.event or mine.event == "other" or not within_window(mine, theirs):
        return False
    anchored = (
        bool((fp.place_keys - mine.areas) & (rec.places - theirs.areas))
        or bool(mine.numbers and theirs.numbers)
        or bool(fp.place_keys & rec.places)
    )
    if not anchored:
        return False
    if mine.stance != theirs.stance:
        return True
    return same_source(fp, rec.source_key, rec.source_name) or bool(mine.side and mine.side == theirs.side)


def _worth_reading(fp: Fingerprint, sketch_text: str) -> bool:
    """The filter on a band entry, before any cluster is read: lexically close enough, or
    filed under a structured key with features that may match."""
    lexical, features = split_sketch(sketch_text)
    if lexical and sketch_similarity(fp.signature, lexical) >= MIN_THRESHOLD:
        return True
    filed = Identity.from_features(features)
    if filed is not None:
        return may_be_same(fp.identity, filed)
    return not lexical  # nothing filed to filter on (entries from before sketches)


def threshold_for(fp: Fingerprint, rec: ClusterRecord) -> float:
    return SAME_SOURCE_THRESHOLD if same_source(fp, rec.source_key, rec.source_name) else OTHER_SOURCE_THRESHOLD


def _best_match(fp: Fingerprint, store: NoveltyStore, filed: dict, consistent: bool, exclude: frozenset = frozenset()):
    """The best cluster to join among those ``filed`` (cluster_id -> sketch) under the claim's
    keys. The sketch drops clearly dissimilar candidates before any cluster is read; it never
    under-estimates similarity, so no cluster that would pass the full test is dropped."""
    ids = {cid for cid, sk in filed.items() if cid not in exclude and _worth_reading(fp, sk)}
    if not ids:
        return None
    best = None
    for rec in store.get_clusters(ids, consistent=consistent).values():
        theirs = Identity.from_json(rec.identity)
        if rec.merged_into or not (_places_agree(fp, rec, theirs) and _agree(fp.actor_keys, rec.actors)):
            continue
        if conflicts(fp.identity, theirs):
            continue
        sim = estimated_jaccard(fp.signature, rec.signature)
        matched = identities_match(fp, rec, theirs)
        if not matched and sim < threshold_for(fp, rec):
            continue
        # A cluster that matches both ways beats one that only shares words (the other side's
        # mirror claim in nearly the same words).
        rank = (-(sim + matched), rec.first_seen, rec.cluster_id)
        if best is None or rank < best[0]:
            best = (rank, rec, sim)
    return (best[1], best[2]) if best else None


def _development(claim: Claim, claim_id: str, fp: Fingerprint, rec: ClusterRecord, outlet) -> dict | None:
    if claim_id == rec.first_claim:
        return None
    if claim.stance != rec.stance:
        kind = "denial" if claim.stance == "deny" else "assertion"
    elif (
        fp.source_key
        and fp.source_key not in rec.sources
        and not same_source(fp, rec.source_key, rec.source_name)
        and not any(same_source(fp, d.get("source_key"), d.get("source")) for d in rec.developments)
    ):
        kind = "confirmation"  # the same claim from a second speaker
    else:
        return None
    if any(d.get("kind") == kind and d.get("source_key") == fp.source_key for d in rec.developments):
        return None  # already recorded (re-reports of one denial are not new developments)
    prov = claim.provenance
    return {
        "kind": kind,
        "claim_id": claim_id,
        "source": claim.source.name or claim.source.text,
        "source_key": fp.source_key,
        "outlet": outlet,
        "article_id": prov.article_id,
        "url": prov.url,
        "published": prov.published,
    }


def _join(claim, claim_id, fp, store, rec, outlet, similarity) -> ClusterResult:
    """Join ``rec``; when it was merged meanwhile, join the cluster it was merged into (which
    holds its members) instead. Raises ClusterMerged when that one is being merged too."""
    dev = _development(claim, claim_id, fp, rec, outlet)
    member = Member(claim_id, claim.provenance.article_id, outlet, fp.source_key, dev)
    try:
        updated = store.add_member(rec.cluster_id, member)
    except ClusterMerged as merged:
        survivor = lookup_cluster(store, merged.merged_into)
        if survivor is None:
            raise
        dev = _development(claim, claim_id, fp, survivor, outlet)
        member.development = dev
        updated = store.add_member(survivor.cluster_id, member)
    claim.cluster_id = updated.cluster_id
    return ClusterResult.from_record(updated, claim_id, similarity=similarity, development=dev)


def _founder_record(claim, claim_id, fp, outlet, now, cluster_id) -> ClusterRecord:
    return ClusterRecord(
        cluster_id=cluster_id,
        first_seen=_iso(now),
        first_claim=claim_id,
        stance=claim.stance,
        source_key=fp.source_key,
        source_name=claim.source.name or claim.source.text,
        content=(claim.content.text or "")[:_CONTENT_CHARS],
        signature=fp.signature,
        places=fp.place_keys,
        actors=fp.actor_keys,
        outlets={outlet} if outlet else set(),
        articles={claim.provenance.article_id} if claim.provenance.article_id else set(),
        claims={claim_id},
        sources={fp.source_key} if fp.source_key else set(),
        identity=fp.identity.to_json(),
    )


def lookup_cluster(store: NoveltyStore, cluster_id: str) -> ClusterRecord | None:
    """The cluster a claim was assigned to, following merges to the surviving cluster."""
    seen = set()
    while cluster_id and cluster_id not in seen:
        seen.add(cluster_id)
        rec = store.get_clusters([cluster_id]).get(cluster_id)
        if rec is None or not rec.merged_into:
            return rec
        cluster_id = rec.merged_into
    return None


def assign_cluster(
    claim: Claim, store: NoveltyStore, outlet: str | None = None, now: datetime | None = None
) -> ClusterResult:
    """Put the claim in its cluster (joining one or founding one); sets claim.cluster_id and
    claim.fingerprint. Idempotent per claim id: a replay returns the same cluster and is_new."""
    fp = fingerprint(claim, now)
    claim.fingerprint = fp.exact
    outlet = outlet or claim.provenance.outlet
    claim_id = claim.id or stable_id("claim", claim.provenance.article_id, fp.exact)
    if not fp.tokens:
        # No content words to compare: a cluster of its own, never matched by anything.
        cluster_id = stable_id("cluster", "empty", claim_id)
        store.create_cluster(_founder_record(claim, claim_id, fp, outlet, now, cluster_id))
        return _join(claim, claim_id, fp, store, store.get_clusters([cluster_id])[cluster_id], outlet, 1.0)

    keys = list(fp.lookup_keys())
    features = fp.identity.features()
    for attempt in range(MAX_ATTEMPTS):
        # The first look may be slightly stale (an eventually consistent read, half the price):
        # a cluster it misses is caught by the filing below, which reads each key atomically
        # with its write. A retry follows a race, so it reads fresh.
        consistent = attempt > 0
        match = _best_match(fp, store, store.candidates(keys, consistent=consistent), consistent)
        if match:
            try:
                return _join(claim, claim_id, fp, store, match[0], outlet, match[1])
            except ClusterMerged:
                continue  # it was merged meanwhile: look again, the survivor is indexed

        cluster_id = stable_id("cluster", fp.exact, *sorted(fp.place_keys | fp.actor_keys))
        founded = _founder_record(claim, claim_id, fp, outlet, now, cluster_id)
        created = store.create_cluster(founded)
        # Filed even when it exists (its writer may have died before filing it); filing returns
        # the clusters filed under our keys before us: the re-check costs no extra read.
        rivals = store.index_cluster(cluster_id, list(fp.bands), fp.sketch, fp.structured, features)
        if not created:
            # Same content seen by a concurrent worker (or an earlier run of this claim): adopt.
            existing = store.get_clusters([cluster_id]).get(cluster_id)
            try:
                return _join(claim, claim_id, fp, store, existing, outlet, 1.0)
            except ClusterMerged:
                continue

        # A concurrent worker may have founded a cluster for another wording of this claim
        # between our lookup and our create. Of two clusters filed under one key, the later sees
        # the earlier in ``rivals`` and merges itself into it. A refused merge means the rival
        # was merged meanwhile: read the rivals again.
        adopted = None
        for _ in range(MAX_ATTEMPTS):
            rival = _best_match(fp, store, rivals, consistent=True, exclude=frozenset({cluster_id}))
            if rival and store.merge(cluster_id, rival[0].cluster_id):
                adopted = rival
            if not rival or adopted:
                break
        if adopted:
            try:
                return _join(claim, claim_id, fp, store, adopted[0], outlet, adopted[1])
            except ClusterMerged:
                continue
        # Only the worker that created a cluster merges it away (above), so it stands: no read.
        claim.cluster_id = cluster_id
        return ClusterResult.from_record(founded, claim_id)
    raise RuntimeError(f"could not settle a cluster for claim {claim_id} after {MAX_ATTEMPTS} attempts")
