"""Claim lists as GeoJSON (RFC 7946) and a watch's alerts as Atom 1.0 (RFC 4287)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import quote

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
GEOJSON_TYPE = "application/geo+json"
_TAG_AUTHORITY = "tag:claimwatch.invalid,2025:"  # RFC 4151 tag URIs: stable ids, no network meaning


def cluster_view(base_url: str, cluster_id: str) -> str:
    """The page's cluster view: what alerts and feed entries link to."""
    return f"{base_url.rstrip('/')}/#/clusters/{cluster_id}"


def geojson(listing: dict) -> dict:
    """One Point per resolved place of each claim; the claim's fields as properties."""
    features = []
    for claim in listing["claims"]:
        for place in claim["places"]:
            if place["lat"] is None or place["lon"] is None:
                continue
            features.append(
                {
                    "type": "Feature",
                    "id": f"{claim['id']}:{place['place_id']}",
                    "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
                    "properties": {
                        "claim_id": claim["id"],
                        "source": claim["source"],
                        "cue": claim["cue"],
                        "content": claim["content"],
                        "date": claim["date"],
                        "published": claim["published"],
                        "cluster_id": claim["cluster_id"],
                        "link": claim["url"],
                        "outlet": claim["outlet"],
                        "outlet_count": claim["outlet_count"],
                        "stance": claim["stance"],
                        "place": place["name"] or place["text"],
                        "place_text": place["text"],
                        "place_id": place["place_id"],
                        "country": place["country"],
                    },
                }
            )
    # next_cursor and query are foreign members (RFC 7946 §6.1): readers ignore them.
    return {
        "type": "FeatureCollection",
        "features": features,
        "next_cursor": listing["next_cursor"],
        "query": listing["query"],
    }


def _rfc3339(value: str | None) -> str:
    """Atom dates need a time zone: stored times are UTC ("Z" or "+00:00")."""
    if not value:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def atom_feed(watch, alerts: list, base_url: str, self_url: str) -> str:
    """The alerts a watch sent, newest first; each entry links to the cluster view."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", f"{_TAG_AUTHORITY}watch/{watch.id}")
    _sub(feed, "title", f"claimwatch alerts: {watch.id}")
    _sub(feed, "updated", _rfc3339(alerts[0]["sent_at"] if alerts else None))
    _sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=base_url.rstrip("/") + "/", type="text/html")
    author = _sub(feed, "author")
    _sub(author, "name", "claimwatch")
    _sub(feed, "generator", "claimwatch")
    for alert in alerts:
        claim, cluster = alert["claim"], alert["cluster"]
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{_TAG_AUTHORITY}alert/{watch.id}/{quote(alert['key'], safe='')}")
        if claim is not None:
            source = claim.source.name or claim.source.text
            title = f"{source} — {claim.cue.text} — {claim.content.text}"
        else:
            title = f"claim cluster {alert['cluster_id']}"
        _sub(entry, "title", title if len(title) <= 300 else title[:299] + "…")
        _sub(entry, "updated", _rfc3339(alert["sent_at"]))
        _sub(entry, "link", rel="alternate", href=cluster_view(base_url, alert["cluster_id"]), type="text/html")
        if claim is not None and claim.provenance.url:
            _sub(entry, "link", rel="related", href=claim.provenance.url, title=claim.provenance.outlet)
        _sub(entry, "category", term=alert["kind"])
        kind = alert["kind"] + (f" ({alert['detail']})" if alert.get("detail") else "")
        lines = [title, f"Alert: {kind} for watch {watch.id}"]
        if claim is not None:
            prov = claim.provenance
            lines.append(
                f"Article: {prov.title or '(untitled)'} — {prov.outlet or 'unknown outlet'}"
                + (f", published {prov.published}" if prov.published else "")
            )
        if cluster is not None:
            lines.append(f"Carried by {len(cluster.outlets)} outlet(s), {len(cluster.articles)} article(s)")
            lines += [
                f"{d.get('kind')} by {d.get('source')} ({d.get('outlet') or 'unknown outlet'})"
                for d in cluster.developments
            ]
        _sub(entry, "content", "\n".join(lines), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True).decode("utf-8")
