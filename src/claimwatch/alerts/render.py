"""Alerts that explain themselves, in a form that article text cannot hijack.

An alert carries: the claim in one line (source — cue — content), the sentence in context with
the matched span marked ``[[like this]]``, which watch fired and why, the article link and
outlet, and the cluster's outlet count and developments; as plain text fit for email, as JSON
(the structured claim), and as SNS message attributes for subscription filter policies.

Everything that comes from an article (claim text, titles, outlet names, match reasons that
quote an alias) goes through ``neutralise``: control and bidi characters removed, ``<``/``>``
replaced so no client renders markup, URLs, domains and e-mail addresses defanged so no client
turns them into links, and lengths capped. The only link in the message is the article's own
URL, which must be http(s) and is percent-encoded.
"""

from __future__ import annotations

import json as jsonlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Optional
from urllib.parse import quote, urlsplit

from claimwatch.model import Claim
from claimwatch.textclean import CONTROL_CHARS, FORMAT_CHARS

SUBJECT_MAX = 99  # SNS: "less than 100 characters", ASCII, no line breaks
MAX_ATTRIBUTE_ITEMS = 25
MAX_ATTRIBUTE_CHARS = 100
LINE_MAX = 400
CONTEXT_MAX = 700
URL_MAX = 500
MARK_OPEN, MARK_CLOSE = "[[", "]]"
SEVERITY_ORDER = ("low", "medium", "high")

HEADLINES = {
    "instant": "New claim",
    "corroborated": "Claim corroborated",
    "development": "Development on a claim",
    "digest": "Digest",
}

_CONTROL = re.compile(f"[{CONTROL_CHARS}{FORMAT_CHARS}]")  # every control and format character but tab and LF
_SCHEME = re.compile(r"(?i)\b(h)tt(ps?)(?=://)|\b(f)t(p)(?=://)")
_WWW = re.compile(r"(?i)\bwww\.")
_DOMAIN_DOT = re.compile(r"(?<=[A-Za-z0-9])\.(?=[A-Za-z]{2,}(?:\b|/))")
_SPACES = re.compile(r"\s+")


@dataclass
class RenderedAlert:
    subject: str
    text: str
    json: dict
    attributes: dict  # SNS MessageAttributes: {name: {"DataType": ..., "StringValue": ...}}


def _defang(text: str) -> str:
    text = _SCHEME.sub(lambda m: f"{m.group(1)}xx{m.group(2)}" if m.group(1) else f"{m.group(3)}x{m.group(4)}", text)
    text = _WWW.sub(lambda m: m.group(0)[:3] + "[.]", text)
    text = _DOMAIN_DOT.sub("[.]", text)
    return text.replace("@", "[at]")


def neutralise(text: Optional[str], limit: int = LINE_MAX, single_line: bool = True) -> str:
    """Article text made inert for an alert: no control characters, markup, links or mark spoofing."""
    if not text:
        return ""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", str(text)))
    text = text.replace("<", "‹").replace(">", "›")
    text = text.replace(MARK_OPEN, "[ [").replace(MARK_CLOSE, "] ]")
    text = _defang(text)
    if single_line:
        text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def ascii_subject(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("—", "-").replace("–", "-"))
    text = text.encode("ascii", "ignore").decode("ascii")
    text = _SPACES.sub(" ", _CONTROL.sub("", text)).strip()
    return text if len(text) <= SUBJECT_MAX else text[: SUBJECT_MAX - 3].rstrip() + "..."


def safe_url(url: Optional[str]) -> Optional[str]:
    if not url:
        return None
    url = _CONTROL.sub("", url).strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(url) > URL_MAX:
        return None
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")


def source_label(claim: Claim) -> str:
    """"Kimakovsky ("He"), adviser to the head of the DPR": the resolved name, the pronoun as written."""
    src = claim.source
    label = src.name or src.text or "unknown source"
    if src.name and src.text and src.text.lower() in ("he", "she", "they", "it", "we"):
        label += f' ("{src.text}")'
    if src.role:
        label += f", {src.role}"
    return label


def claim_line(claim: Claim) -> str:
    """The claim in one line: source — cue — content."""
    parts = [neutralise(source_label(claim), 120), neutralise(claim.cue.text, 40), neutralise(claim.content.text, 300)]
    flags = [f for f, on in (("hedged", claim.hedged), ("denial", claim.stance == "deny")) if on]
    return " — ".join(parts) + (f" [{', '.join(flags)}]" if flags else "")


def _match_spans(matches, segment: str, base: Optional[int]) -> list:
    spans = []
    for m in matches:
        span = getattr(m, "span", None)
        if span and base is not None and base <= span[0] < span[1] <= base + len(segment):
            spans.append((span[0] - base, span[1] - base))
        elif getattr(m, "text", None):
            i = segment.find(m.text)
            if i >= 0:
                spans.append((i, i + len(m.text)))
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def context_with_marks(claim: Claim, matches, article_text: Optional[str] = None) -> str:
    """The claim's sentence (or its content, without the article) with matched spans marked."""
    s = claim.sentence_span
    if article_text and s and 0 <= s[0] < s[1] <= len(article_text):
        base, segment = s[0], article_text[s[0] : s[1]]
    else:
        base = claim.content.span[0] if claim.content.span else None
        segment = claim.content.text or ""
    spans = _match_spans(matches, segment, base)
    # Long sentences: a window around the first mark.
    lo = 0
    if len(segment) > CONTEXT_MAX:
        first = spans[0][0] if spans else 0
        lo = max(0, min(first - CONTEXT_MAX // 3, len(segment) - CONTEXT_MAX))
    hi = min(len(segment), lo + CONTEXT_MAX)
    pieces, pos = [], lo
    for start, end in spans:
        if start < lo or end > hi:
            continue
        pieces += [neutralise(segment[pos:start], CONTEXT_MAX, False), MARK_OPEN,
                   neutralise(segment[start:end], 200, False), MARK_CLOSE]
        pos = end
    pieces.append(neutralise(segment[pos:hi], CONTEXT_MAX, False))
    text = _SPACES.sub(" ", "".join(pieces)).strip()
    return ("…" if lo > 0 else "") + text + ("…" if hi < len(segment) else "")


def _cluster_lines(cluster) -> list:
    if cluster is None:
        return []
    lines = [f"Cluster {neutralise(cluster.cluster_id, 64)}: carried by {cluster.outlets} outlet(s), "
             f"{cluster.articles} article(s); first seen {neutralise(cluster.first_seen, 40)}"]
    for dev in cluster.developments[:10]:
        lines.append(f"  - {neutralise(dev.get('kind'), 20)} by {neutralise(dev.get('source'), 80)}"
                     f" ({neutralise(dev.get('outlet'), 60) or 'unknown outlet'}, {neutralise(dev.get('published'), 40)})")
    return lines


def _as_array(values: Iterable) -> dict:
    seen = []
    for v in values:
        v = neutralise(v, MAX_ATTRIBUTE_CHARS) if v else ""
        if v and v not in seen:
            seen.append(v)
    return {"DataType": "String.Array", "StringValue": jsonlib.dumps(seen[:MAX_ATTRIBUTE_ITEMS], ensure_ascii=False)}


def message_attributes(watch_id: str, kind: str, severity: str, claims: list, clusters: list) -> dict:
    """SNS MessageAttributes (9 of the 10 allowed): what a subscription filter policy can select on."""
    return {
        "watch_id": {"DataType": "String", "StringValue": neutralise(watch_id, MAX_ATTRIBUTE_CHARS) or "unknown"},
        "kind": {"DataType": "String", "StringValue": kind},
        "severity": {"DataType": "String", "StringValue": severity},
        "place_ids": _as_array(p.place_id for c in claims for p in c.places),
        "place_names": _as_array(p.name or p.text for c in claims for p in c.places),
        "actor_names": _as_array(a.name or a.text for c in claims for a in c.actors),
        "source": _as_array(c.source.name or c.source.text for c in claims),
        "cluster_id": _as_array(cl.cluster_id for cl in clusters if cl is not None),
        "outlet_count": {"DataType": "Number",
                         "StringValue": str(max([cl.outlets for cl in clusters if cl is not None] or [0]))},
    }


def _cluster_json(cluster) -> Optional[dict]:
    if cluster is None:
        return None
    return {"cluster_id": cluster.cluster_id, "is_new": cluster.is_new, "outlets": cluster.outlets,
            "articles": cluster.articles, "first_seen": cluster.first_seen,
            "developments": cluster.developments}


def render_alert(claim: Claim, matches: list, cluster, article_text: Optional[str] = None, *,
                 kind: str = "instant", severity: str = "medium") -> RenderedAlert:
    watch_ids = sorted({m.watch_id for m in matches}) or ["unknown"]
    watch_id = watch_ids[0]
    prov = claim.provenance
    line = claim_line(claim)
    subject = ascii_subject(f"[claimwatch {severity}] {watch_id}: {source_label(claim)} - {claim.content.text}")
    url = safe_url(prov.url)
    text_lines = [
        f"{HEADLINES.get(kind, 'Alert')} for watch {neutralise(', '.join(watch_ids), 120)} (severity {severity})",
        "",
        line,
        "",
        "In context:",
        f"  {context_with_marks(claim, matches, article_text)}",
        "",
        "Why this alert:",
        *[f"  - watch {neutralise(m.watch_id, 80)}: {neutralise(m.reason, 300)}" for m in matches],
        "",
        f"Article: {neutralise(prov.title, 200) or '(untitled)'} — {neutralise(prov.outlet, 80) or 'unknown outlet'}"
        + (f", published {neutralise(prov.published, 40)}" if prov.published else ""),
        f"Link: {url or '(no safe link)'}",
        *_cluster_lines(cluster),
        f"Claim id: {neutralise(claim.id, 64)}",
    ]
    payload = {
        "kind": kind,
        "watch_id": watch_id,
        "severity": severity,
        "summary": line,
        "matches": [{"watch_id": m.watch_id, "kind": m.kind, "entity_key": m.entity_key, "text": m.text,
                     "span": list(m.span) if m.span else None, "reason": m.reason} for m in matches],
        "cluster": _cluster_json(cluster),
        "claim": claim.to_dict(),
    }
    return RenderedAlert(
        subject=subject,
        text="\n".join(text_lines) + "\n",
        json=payload,
        attributes=message_attributes(watch_id, kind, severity, [claim], [cluster]),
    )


def max_severity(severities: Iterable[str]) -> str:
    return max(severities, key=SEVERITY_ORDER.index, default="low")


def combine_alerts(watch_id: str, alerts: list, claims: list, clusters: list, limit: int = 25) -> RenderedAlert:
    """A burst of alerts for one watch as one message (debounce)."""
    if len(alerts) == 1:
        return alerts[0]
    shown = alerts[:limit]
    severity = max_severity(a.json["severity"] for a in alerts)
    kinds = {a.json["kind"] for a in alerts}
    kind = kinds.pop() if len(kinds) == 1 else "batch"
    subject = ascii_subject(f"[claimwatch {severity}] {watch_id}: {len(alerts)} new alerts")
    parts = [f"{len(alerts)} alerts for watch {neutralise(watch_id, 80)}", ""]
    for i, alert in enumerate(shown, 1):
        parts.append(f"=== {i}/{len(alerts)} ===")
        parts.append(alert.text)
    if len(alerts) > len(shown):
        parts.append(f"… and {len(alerts) - len(shown)} more (see the JSON part or the claims table)")
    return RenderedAlert(
        subject=subject,
        text="\n".join(parts),
        json={"kind": kind, "watch_id": watch_id, "severity": severity, "count": len(alerts),
              "alerts": [a.json for a in shown]},
        attributes=message_attributes(watch_id, kind, severity, claims, clusters),
    )


def render_digest(watch_id: str, period: str, groups: list) -> RenderedAlert:
    """One digest message. ``groups``: [(cluster, [claim, ...])], each cluster's claims together."""
    claims = [c for _, cs in groups for c in cs]
    clusters = [cl for cl, _ in groups]
    severity = "medium" if any(cl is not None and cl.outlets >= 3 for cl in clusters) else "low"
    subject = ascii_subject(f"[claimwatch digest] {watch_id}: {len(clusters)} claim(s), {period}")
    lines = [f"Digest for watch {neutralise(watch_id, 80)}, period {neutralise(period, 40)}: "
             f"{len(clusters)} new claim(s) from {len(claims)} report(s)", ""]
    for i, (cluster, members) in enumerate(groups, 1):
        outlets = f"{cluster.outlets} outlet(s)" if cluster is not None else "1 outlet"
        lines.append(f"{i}. {claim_line(members[0])}  [{outlets}]")
        for claim in members:
            prov = claim.provenance
            lines.append(f"   - {neutralise(prov.outlet, 80) or 'unknown outlet'}: {safe_url(prov.url) or '(no safe link)'}")
        for dev in (cluster.developments if cluster is not None else [])[:5]:
            lines.append(f"   * {neutralise(dev.get('kind'), 20)} by {neutralise(dev.get('source'), 80)}")
        lines.append("")
    payload = {"kind": "digest", "watch_id": watch_id, "severity": severity, "period": period,
               "clusters": [{"cluster": _cluster_json(cl), "claims": [c.to_dict() for c in cs]} for cl, cs in groups]}
    return RenderedAlert(subject=subject, text="\n".join(lines), json=payload,
                         attributes=message_attributes(watch_id, "digest", severity, claims, clusters))
