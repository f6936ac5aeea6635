"""AlertService: claims in, at most one alert per (watch, cluster, kind) out, and each claim in
one message that lists every watch it matched (a subscriber to two of them gets it once).

``handle(claims)`` is what the alert function runs on each DynamoDB stream batch (claims that
extract has already put in clusters); ``digest(now)`` is what the scheduled digest function runs.
Both are safe to run twice, and concurrently: every send is guarded by a conditional put in the
alert store (see ``alerts/ledger.py``), taken before publishing and released if publishing fails.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from claimwatch.alerts import policy
from claimwatch.alerts.ledger import INCLUDED, PENDING, SENT
from claimwatch.alerts.render import combine_alerts, main_kind, max_severity, render_alert, render_digest
from claimwatch.model import Claim
from claimwatch.novelty import ClusterResult, lookup_cluster

log = logging.getLogger(__name__)

# Outcome statuses
STATUS_SENT = "sent"  # published now
STATUS_DUPLICATE = "duplicate"  # already sent (or being sent) by an earlier or concurrent run
STATUS_QUEUED = "queued"  # waiting for the digest
STATUS_INCLUDED = "included"  # a development folded into the cluster's first alert
STATUS_FAILED = "failed"  # matching, rendering or publishing failed: retry the record
STATUS_EMPTY = "empty"  # a digest period with nothing new


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class AlertOutcome:
    status: str
    claim_id: str | None = None
    watch_id: str | None = None
    kind: str | None = None
    cluster_id: str | None = None
    message_id: str | None = None
    error: str | None = None


@dataclass
class _Ready:
    """A claim about to be sent: the watches whose guards this run took, with their decisions."""

    claim: Claim
    matches: list  # the matches of those watches
    cluster: ClusterResult
    decisions: list  # [(watch_id, policy.Decision)]
    text: str | None = None

    @property
    def watch_ids(self) -> tuple:
        return tuple(sorted({watch_id for watch_id, _ in self.decisions}))


@dataclass
class _Digested:
    claims: list = field(default_factory=list)
    item_keys: list = field(default_factory=list)


def _watch_map(watches) -> dict:
    if watches is None:
        return {}
    if isinstance(watches, dict):
        return dict(watches)
    return {w.id: w for w in watches}


def period_start(now: datetime, period: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((now - epoch) // period) * period


class AlertService:
    def __init__(
        self,
        alert_store,
        publisher,
        watch_index,
        novelty_store,
        clock: Callable[[], datetime] = utcnow,
        *,
        watches=None,
        article_text: Callable[[str], str | None] | None = None,
        digest_period: timedelta = timedelta(days=1),
        lease: timedelta = timedelta(minutes=5),
    ):
        """``watches``: the Watch objects (for delivery and corroborated); defaults to
        ``watch_index.watches``. ``article_text(article_id)`` returns the article text for
        context (e.g. ``ArticleTextStore.get``); without it the claim's content is shown."""
        self.alert_store = alert_store
        self.publisher = publisher
        self.watch_index = watch_index
        self.novelty_store = novelty_store
        self.clock = clock
        self.watches = _watch_map(watches if watches is not None else getattr(watch_index, "watches", None))
        self.article_text = article_text
        self.digest_period = digest_period
        self.lease = lease

    # -- instant / corroborated / development ------------------------------------------------

    def handle(self, claims: Iterable[Claim]) -> list:
        """Alert on a batch of claims. Each claim goes out in one message listing every watch it
        matched; the claims of one call that matched the same watches share that message (a
        burst is debounced). Returns one AlertOutcome per (claim, watch, kind); a claim with a
        ``failed`` outcome should be retried (its guards were released)."""
        now = self.clock()
        outcomes: list = []
        ready: list = []
        claimed_now: set = set()  # (watch_id, key) guards taken in this call
        texts: dict = {}
        for claim in claims:
            try:
                outcomes += self._plan(claim, now, ready, claimed_now, texts)
            except Exception as exc:  # one bad claim never stops the batch
                log.exception("alert planning failed for claim %s", claim.id)
                outcomes.append(AlertOutcome(STATUS_FAILED, claim.id, error=repr(exc)))
        bursts: OrderedDict[tuple, list] = OrderedDict()
        for r in ready:
            bursts.setdefault(r.watch_ids, []).append(r)
        for watch_ids, burst in bursts.items():
            try:
                outcomes += self._send(burst, now)
            except Exception as exc:  # e.g. recording the send failed: the other messages still go out
                log.exception("alerts for watches %s failed after publishing", ", ".join(watch_ids))
                outcomes += [
                    AlertOutcome(STATUS_FAILED, r.claim.id, w, d.kind, r.cluster.cluster_id, error=repr(exc))
                    for r in burst
                    for w, d in r.decisions
                ]
        return outcomes

    def cluster_of(self, claim: Claim) -> ClusterResult:
        rec = lookup_cluster(self.novelty_store, claim.cluster_id) if claim.cluster_id else None
        if rec is not None:
            return ClusterResult.from_record(rec, claim.id)
        # Not clustered (novelty unavailable): the claim stands alone.
        return ClusterResult(
            cluster_id=f"claim-{claim.id}",
            is_new=True,
            outlets=1 if claim.provenance.outlet else 0,
            articles=1,
            first_seen=claim.provenance.published or "",
            outlet_names=[claim.provenance.outlet] if claim.provenance.outlet else [],
        )

    def _text(self, article_id: str | None, texts: dict) -> str | None:
        if not self.article_text or not article_id:
            return None
        if article_id not in texts:
            try:
                texts[article_id] = self.article_text(article_id)
            except Exception:  # context is a nicety: alert without it
                log.warning("article text unavailable for %s", article_id, exc_info=True)
                texts[article_id] = None
        return texts[article_id]

    def _plan(self, claim, now, ready, claimed_now, texts) -> list:
        matches = self.watch_index.match(claim)
        if not matches:
            return []
        cluster = self.cluster_of(claim)
        by_watch: OrderedDict[str, list] = OrderedDict()
        for m in matches:
            by_watch.setdefault(m.watch_id, []).append(m)
        outcomes, sending = [], []
        for watch_id in by_watch:
            for decision in policy.decide(self.watches.get(watch_id), claim, cluster):
                out = AlertOutcome(STATUS_DUPLICATE, claim.id, watch_id, decision.kind, cluster.cluster_id)
                if decision.kind == policy.DIGEST:
                    self.alert_store.add_pending(
                        watch_id,
                        f"{cluster.cluster_id}#{claim.id}",
                        {"claim": claim.to_dict(), "cluster_id": cluster.cluster_id, "recorded_at": now.isoformat()},
                    )
                    out.status = STATUS_QUEUED
                elif not self.alert_store.try_claim(watch_id, decision.key, now, self.lease):
                    if (watch_id, decision.key) not in claimed_now and self.alert_store.status(
                        watch_id, decision.key
                    ) == PENDING:
                        # Claimed but not yet sent: a concurrent run is publishing, or one died
                        # mid-send. Retry later (the lease expires) rather than drop the alert.
                        out.status = STATUS_FAILED
                        out.error = "alert in flight elsewhere; retry after the lease"
                else:
                    claimed_now.add((watch_id, decision.key))
                    if decision.kind == policy.DEVELOPMENT and (
                        (watch_id, decision.main_key) in claimed_now
                        or self.alert_store.status(watch_id, decision.main_key) is None
                    ):
                        # The watch's first alert for this cluster goes out now and shows the
                        # development; or it has not gone out (corroboration pending) and will.
                        self.alert_store.mark_sent(watch_id, decision.key, None, now, status=INCLUDED)
                        out.status = STATUS_INCLUDED
                    else:
                        sending.append((watch_id, decision))
                        continue  # the outcome is decided when the message is published
                outcomes.append(out)
        if sending:
            watch_ids = {watch_id for watch_id, _ in sending}
            ready.append(
                _Ready(
                    claim,
                    [m for m in matches if m.watch_id in watch_ids],
                    cluster,
                    sending,
                    self._text(claim.provenance.article_id, texts),
                )
            )
        return outcomes

    def _send(self, ready: list, now: datetime) -> list:
        """Publish one message for claims that matched the same watches; record every guard."""

        def outcomes(status, message_id=None, error=None):
            return [
                AlertOutcome(status, r.claim.id, w, d.kind, r.cluster.cluster_id, message_id, error)
                for r in ready
                for w, d in r.decisions
            ]

        try:
            rendered = []
            for r in ready:
                by_watch: dict = {}
                for watch_id, decision in r.decisions:
                    by_watch.setdefault(watch_id, []).append(decision.kind)
                kinds = {w: main_kind(ks) for w, ks in by_watch.items()}
                severity = max_severity(policy.severity(r.claim, r.cluster, d.kind) for _, d in r.decisions)
                rendered.append(render_alert(r.claim, r.matches, r.cluster, r.text, kinds=kinds, severity=severity))
            message = combine_alerts(rendered, [r.claim for r in ready], [r.cluster for r in ready])
            message_id = self.publisher.publish(message)
        except Exception as exc:
            log.exception("publishing %d alert(s) for watches %s failed", len(ready), ", ".join(ready[0].watch_ids))
            for r in ready:
                for watch_id, decision in r.decisions:
                    self.alert_store.release(watch_id, decision.key)
            return outcomes(STATUS_FAILED, error=repr(exc))
        for r in ready:
            for watch_id, decision in r.decisions:
                self.alert_store.mark_sent(watch_id, decision.key, message_id, now)
        return outcomes(STATUS_SENT, message_id)

    # -- digest ------------------------------------------------------------------------------

    def digest(self, now: datetime | None = None) -> list:
        """Send each digest watch one message for the current period listing its new claims,
        grouped by cluster; clusters already listed in an earlier digest are left out. Exactly
        once per (watch, period): a second call in the same period sends nothing."""
        now = now or self.clock()
        start = period_start(now, self.digest_period)
        label = start.isoformat(timespec="minutes")
        results = []
        for watch_id, watch in self.watches.items():
            if policy.delivery_of(watch) != policy.DIGEST:
                continue
            try:
                results.append(self._digest_watch(watch_id, label, now))
            except Exception as exc:
                log.exception("digest for watch %s failed", watch_id)
                results.append(AlertOutcome(STATUS_FAILED, watch_id=watch_id, kind=policy.DIGEST, error=repr(exc)))
        return results

    def _digest_watch(self, watch_id: str, label: str, now: datetime) -> AlertOutcome:
        items = {
            k: v for k, v in self.alert_store.pending(watch_id).items() if v.get("recorded_at", "") <= now.isoformat()
        }
        if not items:
            return AlertOutcome(STATUS_EMPTY, watch_id=watch_id, kind=policy.DIGEST)
        period_key = f"digest#{label}"
        if not self.alert_store.try_claim(watch_id, period_key, now, self.lease):
            return AlertOutcome(STATUS_DUPLICATE, watch_id=watch_id, kind=policy.DIGEST)
        groups: OrderedDict[str, tuple] = OrderedDict()
        for item_key, item in sorted(items.items(), key=lambda kv: kv[1].get("recorded_at", "")):
            claim = Claim.from_dict(item["claim"])
            rec = lookup_cluster(self.novelty_store, item.get("cluster_id")) if item.get("cluster_id") else None
            cluster = ClusterResult.from_record(rec) if rec else self.cluster_of(claim)
            entry = groups.setdefault(cluster.cluster_id, (cluster, _Digested()))
            entry[1].claims.append(claim)
            entry[1].item_keys.append(item_key)
        taken = []  # clusters listed for the first time for this watch
        for cluster_id in groups:
            if self.alert_store.try_claim(watch_id, f"{cluster_id}#{policy.DIGEST}", now, self.lease):
                taken.append(cluster_id)
        guards = [period_key] + [f"{cid}#{policy.DIGEST}" for cid in taken]
        try:
            message_id = None
            if taken:
                message = render_digest(watch_id, label, [(groups[c][0], groups[c][1].claims) for c in taken])
                message_id = self.publisher.publish(message)
        except Exception as exc:
            for key in guards:
                self.alert_store.release(watch_id, key)
            raise exc
        for key in guards:
            self.alert_store.mark_sent(watch_id, key, message_id, now, status=SENT)
        self.alert_store.remove_pending(watch_id, [k for _, d in groups.values() for k in d.item_keys])
        return AlertOutcome(
            STATUS_SENT if taken else STATUS_EMPTY, watch_id=watch_id, kind=policy.DIGEST, message_id=message_id
        )
