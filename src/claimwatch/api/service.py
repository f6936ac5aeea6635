"""What each route of the claims API answers, on top of ``store.claim_queries`` (no boto3 here).

Claim lists are read by what they are about: each filter (place, actor, source, watch) resolves
as watch terms do (any spelling, renamings, GeoNames ids) to entity keys; one filter's keys drive
Queries on the Mentions table (or the BySource index), merged newest first, and every filter is
then checked on each claim with the watch matcher itself, so ``place=Krasnoarmeysk`` lists what a
watch on Krasnoarmeysk would have alerted on. Pages end at a sort key (``published#claim_id``):
the cursor carries it, so the next page Queries below it.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from claimwatch.api import params as P
from claimwatch.api.params import ApiError, ListRequest
from claimwatch.model import Claim
from claimwatch.resolve.normalize import name_key
from claimwatch.resolve.resolver import Resolver, get_resolver
from claimwatch.watch.matcher import WatchIndex
from claimwatch.watch.watchlist import Watch

# Claims read per request at most while filters reject candidates: a page that hits it ends
# early with a cursor, so a selective combination costs bounded reads per request.
MAX_EXAMINED = 500
_MENTION_PREFIXES = ("geo:", "place:", "actor:", "person:", "org:")


@dataclass
class Criterion:
    """One filter: the index keys that find candidates, and the check every claim must pass."""

    name: str
    term: str
    mention_keys: list
    source_keys: list
    index: WatchIndex
    resolved: dict

    def accepts(self, claim: Claim) -> bool:
        return bool(self.index.match(claim))


class ClaimsApi:
    def __init__(self, queries, resolver: Resolver | None = None):
        self.q = queries
        self._resolver = resolver

    @property
    def resolver(self) -> Resolver:
        return self._resolver or get_resolver()

    # ---------------------------------------------------------------- filters
    def _place_keys(self, term) -> tuple[list, dict]:
        wp = self.resolver.place_term(term)
        if wp.place is None:
            from claimwatch.watch.check import WatchChecker

            hints = WatchChecker(self.resolver).place_suggestions(str(term))
            raise P.bad("place", f"{str(term)[:80]!r} matches no place in the gazetteer", did_you_mean=hints)
        p = wp.place
        resolved = {"term": str(term), "name": p.name, "place_id": p.place_id, "country": p.country, "how": wp.how}
        return sorted(k for k in wp.keys if k.startswith(_MENTION_PREFIXES)), resolved

    def _actor_keys(self, term: str) -> tuple[list, dict]:
        keys, how = self.resolver.actor_keys(term)
        return [k for k in keys if k.startswith(_MENTION_PREFIXES)], {"term": term, "keys": keys, "how": how}

    def _source_keys(self, term: str) -> list:
        keys, _ = self.resolver.actor_keys(term)
        return list(dict.fromkeys([k for k in keys if k.startswith(_MENTION_PREFIXES)] + [f"name:{name_key(term)}"]))

    def _criteria(self, req: ListRequest) -> list[Criterion]:
        out = []
        if req.place:
            keys, resolved = self._place_keys(req.place)
            out.append(
                Criterion(
                    "place", req.place, keys, [], WatchIndex([Watch("q", places=[req.place])], self.resolver), resolved
                )
            )
        if req.source:
            out.append(
                Criterion(
                    "source",
                    req.source,
                    [],
                    self._source_keys(req.source),
                    WatchIndex([Watch("q", sources=[req.source])], self.resolver),
                    {"term": req.source},
                )
            )
        if req.actor:
            keys, resolved = self._actor_keys(req.actor)
            out.append(
                Criterion(
                    "actor", req.actor, keys, [], WatchIndex([Watch("q", actors=[req.actor])], self.resolver), resolved
                )
            )
        if req.watch:
            watch = self.watch(req.watch)
            out.append(self._watch_criterion(watch))
        return out

    def _watch_criterion(self, watch: Watch) -> Criterion:
        mention: list = []
        for place in watch.places + ([watch.near["place"]] if watch.near else []):
            wp = self.resolver.place_term(place)
            mention += [k for k in wp.keys if k.startswith(_MENTION_PREFIXES)]
        for actor in watch.actors:
            mention += self._actor_keys(actor)[0]
        sources = [k for s in watch.sources for k in self._source_keys(s)]
        return Criterion(
            "watch",
            watch.id,
            sorted(set(mention)),
            sorted(set(sources)),
            WatchIndex([watch], self.resolver),
            {"watch": watch.to_dict()},
        )

    # ---------------------------------------------------------------- claim lists
    def _candidates(self, driver: Criterion, req: ListRequest) -> Iterator[tuple[str, str]]:
        """(sort key, claim id) newest first over every key of the driving filter, each claim once."""
        upper = min(b for b in (req.before, req.upper) if b) if (req.before or req.upper) else None
        page = req.limit + 1
        streams = [self.q.about(k, req.lower, upper, page) for k in driver.mention_keys]
        streams += [self.q.by_source(k, req.lower, upper, page) for k in driver.source_keys]
        seen = set()
        for sort_key, claim_id in heapq.merge(*streams, key=lambda t: t[0], reverse=True):
            if claim_id not in seen:
                seen.add(claim_id)
                yield sort_key, claim_id

    def list_claims(self, req: ListRequest) -> dict:
        criteria = self._criteria(req)
        driver = min(criteria, key=lambda c: len(c.mention_keys) + len(c.source_keys))
        accepted: list[tuple[str, Claim]] = []
        examined, last_key, exhausted = 0, None, False
        candidates = self._candidates(driver, req)
        while len(accepted) <= req.limit and examined < MAX_EXAMINED:
            chunk = list(itertools.islice(candidates, req.limit + 1))
            if not chunk:
                exhausted = True
                break
            claims = self.q.get_claims(cid for _, cid in chunk)
            for sort_key, claim_id in chunk:
                examined += 1
                last_key = sort_key
                claim = claims.get(claim_id)
                if claim is not None and all(c.accepts(claim) for c in criteria):
                    accepted.append((sort_key, claim))
                    if len(accepted) > req.limit:
                        break
        page = accepted[: req.limit]
        next_cursor = None
        if len(accepted) > req.limit:
            next_cursor = P.encode_cursor(page[-1][0], req.fingerprint)
        elif not exhausted and last_key:  # stopped at MAX_EXAMINED: go on below what was read
            next_cursor = P.encode_cursor(last_key, req.fingerprint)
        claims = [c for _, c in page]
        clusters = self.q.get_clusters(c.cluster_id for c in claims if c.cluster_id)
        return {
            "claims": [claim_summary(c, clusters.get(c.cluster_id)) for c in claims],
            "count": len(claims),
            "next_cursor": next_cursor,
            "query": {c.name: c.resolved for c in criteria},
        }

    # ---------------------------------------------------------------- single items
    def claim(self, claim_id: str) -> dict:
        claim = self.q.get_claim(P.item_id(claim_id, "claim id"))
        if claim is None:
            raise ApiError(404, f"no claim {claim_id}")
        cluster = self.q.get_cluster(claim.cluster_id) if claim.cluster_id else None
        return {**claim.to_dict(), "summary": claim_summary(claim, cluster)}

    def cluster(self, cluster_id: str) -> dict:
        record = self.q.get_cluster(P.item_id(cluster_id, "cluster id"))
        if record is None:
            raise ApiError(404, f"no cluster {cluster_id} (clusters are kept 30 days after their last claim)")
        members = sorted(
            self.q.get_claims(sorted(record.claims)).values(), key=lambda c: (c.provenance.published or "", c.id or "")
        )
        summaries = [claim_summary(c, record) for c in members]
        by_outlet: dict[str, list] = {}
        for s in summaries:
            by_outlet.setdefault(s["outlet"] or "unknown outlet", []).append(s)
        first = next((s for s in summaries if s["id"] == record.first_claim), summaries[0] if summaries else None)
        return {
            "cluster_id": record.cluster_id,
            "requested_id": cluster_id,
            "first_seen": record.first_seen,
            "first_claim": first,
            "stance": record.stance,
            "source": record.source_name,
            "content": record.content,
            "outlet_count": len(record.outlets),
            "article_count": len(record.articles),
            "outlets": [
                {"outlet": name, "first_published": claims[0]["published"], "claims": claims}
                for name, claims in sorted(by_outlet.items(), key=lambda kv: kv[1][0]["published"] or "")
            ],
            "members": summaries,
            "developments": record.developments,
        }

    def watch(self, watch_id: str) -> Watch:
        watch = self.q.get_watch(P.watch_id(watch_id))
        if watch is None:
            raise ApiError(404, f"no watch {watch_id}", parameter="watch")
        return watch

    def watches(self) -> dict:
        watches = sorted(self.q.list_watches(), key=lambda w: w.id)
        return {"watches": [w.to_dict() for w in watches], "count": len(watches)}

    def alerts(self, watch_id: str, limit: int = 50) -> tuple[Watch, list]:
        """The watch and its sent alerts, newest first, each with its cluster and first claim."""
        watch = self.watch(watch_id)
        sent = self.q.sent_alerts(watch.id, limit)
        clusters = self.q.get_clusters(a["cluster_id"] for a in sent)
        firsts = self.q.get_claims(c.first_claim for c in clusters.values())
        for alert in sent:
            cluster = clusters.get(alert["cluster_id"])
            alert["cluster"] = cluster
            alert["claim"] = firsts.get(cluster.first_claim) if cluster else None
        return watch, sent


def claim_line(claim: Claim) -> str:
    source = claim.source.name or claim.source.text
    return f"{source} — {claim.cue.text} — {claim.content.text}"


def claim_summary(claim: Claim, cluster=None) -> dict:
    prov = claim.provenance
    return {
        "id": claim.id,
        "source": claim.source.name or claim.source.text,
        "source_role": claim.source.role,
        "cue": claim.cue.text,
        "content": claim.content.text,
        "stance": claim.stance,
        "hedged": claim.hedged,
        "date": claim.date,
        "published": prov.published,
        "outlet": prov.outlet,
        "title": prov.title,
        "url": prov.url,
        "cluster_id": claim.cluster_id,
        "outlet_count": len(cluster.outlets) if cluster else None,
        "developments": [
            {
                "kind": d.get("kind"),
                "source": d.get("source"),
                "outlet": d.get("outlet"),
                "published": d.get("published"),
                "claim_id": d.get("claim_id"),
            }
            for d in (cluster.developments if cluster else [])
        ],
        "places": [
            {
                "text": p.text,
                "name": p.name,
                "place_id": p.place_id,
                "country": p.country,
                "lat": p.lat,
                "lon": p.lon,
                "span": _relative(p.span, claim),
            }
            for p in claim.places
        ],
        "actors": [{"text": a.text, "name": a.name, "actor_id": a.actor_id} for a in claim.actors],
    }


def _relative(span, claim: Claim) -> list | None:
    """A place's span within the content text (the page marks it there), or None."""
    base = claim.content.span
    if not span or not base or not (base[0] <= span[0] and span[1] <= base[1]):
        return None
    return [span[0] - base[0], span[1] - base[0]]
