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
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
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
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}
_EMPTY_BRACKETS = re.compile(r"\s*(\(\s*\)|\[\s*\]|\{\s*\})")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s)|\n\s*\n")


@dataclass
class RenderedAlert:
    subject: str
    text: str
    json: dict
    attributes: dict  # SNS MessageAttributes: {name: {"DataType": ..., "StringValue": ...}}
    section: str = ""  # the text without its headline, for combined messages


def _defang(text: str) -> str:
    text = _SCHEME.sub(lambda m: f"{m.group(1)}xx{m.group(2)}" if m.group(1) else f"{m.group(3)}x{m.group(4)}", text)
    text = _WWW.sub(lambda m: m.group(0)[:3] + "[.]", text)
    text = _DOMAIN_DOT.sub("[.]", text)
    return text.replace("@", "[at]")


def neutralise(text: str | None, limit: int = LINE_MAX, single_line: bool = True) -> str:
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


def cut_at_word(text: str, limit: int, ellipsis: str = "…") -> str:
    """At most ``limit`` characters, cut at the last word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    head = text[: room + 1]
    space = head.rfind(" ")
    head = head[:space] if space > room // 2 else text[:room]  # one huge word: cut inside it
    return head.rstrip(" ,;:—-(") + ellipsis


def ascii_subject(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("—", "-").replace("–", "-").replace("…", "..."))
    text = text.encode("ascii", "ignore").decode("ascii")
    text = _SPACES.sub(" ", _CONTROL.sub("", text)).strip()
    return cut_at_word(text, SUBJECT_MAX, "...")


def safe_url(url: str | None) -> str | None:
    if not url:
        return None
    url = _CONTROL.sub("", url).strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(url) > URL_MAX:
        return None
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")


def balanced(text: str) -> str:
    """Brackets closed and stray closers dropped: a role cut at "(DPR" reads "(DPR)"."""
    out: list[str] = []
    depth: list[str] = []
    for ch in text:
        if ch in _CLOSERS:
            if not depth or depth[-1] != _CLOSERS[ch]:
                continue  # a closer with no opener
            depth.pop()
        elif ch in _OPENERS:
            depth.append(ch)
        out.append(ch)
    text = "".join(out).rstrip(" ,;:—-") + "".join(_OPENERS[o] for o in reversed(depth))
    return _EMPTY_BRACKETS.sub("", text).strip()


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def source_label(claim: Claim) -> str:
    """ "Kimakovsky ("He"), adviser to the head of the DPR": the resolved name, the pronoun as
    written, the role unless the name already says it; brackets balanced."""
    src = claim.source
    label = balanced(src.name or src.text or "unknown source")
    if src.name and src.text and src.text.lower() in ("he", "she", "they", "it", "we"):
        label += f' ("{src.text}")'
    role = balanced(src.role or "")
    if role and _words(role) not in _words(label):
        label += f", {role}"
    return label


def claim_line(claim: Claim) -> str:
    """The claim in one line: source — cue — content."""
    parts = [neutralise(source_label(claim), 120), neutralise(claim.cue.text, 40), neutralise(claim.content.text, 300)]
    flags = [f for f, on in (("hedged", claim.hedged), ("denial", claim.stance == "deny")) if on]
    return " — ".join(parts) + (f" [{', '.join(flags)}]" if flags else "")


def _whole_brackets(segment: str, start: int, end: int) -> tuple[int, int]:
    """A marked span never splits a bracket: "[[… (DPR]])" becomes "[[… (DPR)]]"."""
    depth = 0
    for ch in segment[start:end]:
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS and depth:
            depth -= 1
    while depth and end < len(segment) and segment[end] in _CLOSERS:
        end, depth = end + 1, depth - 1
    return start, end


def _match_spans(matches, segment: str, base: int | None) -> list:
    spans = []
    for m in matches:
        span = getattr(m, "span", None)
        if span and base is not None and base <= span[0] < span[1] <= base + len(segment):
            spans.append((span[0] - base, span[1] - base))
        elif getattr(m, "text", None):
            i = segment.find(m.text)
            if i >= 0:
                spans.append((i, i + len(m.text)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(_whole_brackets(segment, a, b) for a, b in spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence(s) of ``text`` that hold ``[start, end)``: from the end of the sentence
    before ``start`` to the end of the sentence holding ``end``."""
    lo = 0
    for m in _SENTENCE_END.finditer(text, max(0, start - 2000), start):
        lo = m.end()
    closing = _SENTENCE_END.search(text, max(start, end - 1))
    hi = closing.end() if closing else len(text)
    while lo < start and text[lo].isspace():
        lo += 1
    return lo, hi


def context_span(claim: Claim, matches, article_text: str | None) -> tuple[int, int] | None:
    """The claim's sentence together with the sentence(s) of every matched span: a quotation
    that runs over several sentences shows the one with the matched place too."""
    s = claim.sentence_span
    if not article_text or not s or not 0 <= s[0] < s[1] <= len(article_text):
        return None
    lo, hi = s
    for m in matches:
        span = getattr(m, "span", None)
        # Spans near the claim only: a source resolved from far back is not part of its context.
        if span and 0 <= span[0] < span[1] <= len(article_text) and s[0] - CONTEXT_MAX <= span[0] < s[1] + CONTEXT_MAX:
            a, b = sentence_bounds(article_text, span[0], span[1])
            lo, hi = min(lo, a), max(hi, b)
    return lo, hi


def context_with_marks(claim: Claim, matches, article_text: str | None = None) -> str:
    """The sentence(s) holding the claim and its matched spans (or its content, without the
    article), matched spans marked."""
    window = context_span(claim, matches, article_text)
    base: int | None
    if window and article_text:
        base, segment = window[0], article_text[window[0] : window[1]]
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
        pieces += [
            neutralise(segment[pos:start], CONTEXT_MAX, False),
            MARK_OPEN,
            neutralise(segment[start:end], 200, False),
            MARK_CLOSE,
        ]
        pos = end
    pieces.append(neutralise(segment[pos:hi], CONTEXT_MAX, False))
    text = _SPACES.sub(" ", "".join(pieces)).strip()
    return ("…" if lo > 0 else "") + text + ("…" if hi < len(segment) else "")


def _cluster_lines(cluster) -> list:
    if cluster is None:
        return []
    lines = [
        f"Cluster {neutralise(cluster.cluster_id, 64)}: carried by {cluster.outlets} outlet(s), "
        f"{cluster.articles} article(s); first seen {neutralise(cluster.first_seen, 40)}"
    ]
    for dev in cluster.developments[:10]:
        lines.append(
            f"  - {neutralise(dev.get('kind'), 20)} by {neutralise(dev.get('source'), 80)}"
            f" ({neutralise(dev.get('outlet'), 60) or 'unknown outlet'}, {neutralise(dev.get('published'), 40)})"
        )
    return lines


def _as_array(values: Iterable) -> dict:
    seen = []
    for v in values:
        v = neutralise(v, MAX_ATTRIBUTE_CHARS) if v else ""
        if v and v not in seen:
            seen.append(v)
    return {"DataType": "String.Array", "StringValue": jsonlib.dumps(seen[:MAX_ATTRIBUTE_ITEMS], ensure_ascii=False)}


def actor_names(claim: Claim) -> list:
    """The claim's actors, never one of its places ("Donetsk" the city is not the DPR)."""
    place_words = {_words(x) for p in claim.places for x in (p.text, p.name) if x}
    place_spans = [p.span for p in claim.places if p.span]
    names = []
    for a in claim.actors:
        if (a.actor_id or "").startswith(("geo:", "place:")):
            continue
        if a.span and any(s[0] < a.span[1] and a.span[0] < s[1] for s in place_spans):
            continue
        if {_words(a.text or ""), _words(a.name or "")} & place_words:
            continue
        names.append(a.name or a.text)
    return names


def message_attributes(watch_ids: list, kinds: list, severity: str, claims: list, clusters: list) -> dict:
    """SNS MessageAttributes (9 of the 10 allowed): what a subscription filter policy can select on.
    ``watch_id`` and ``kind`` are String.Array: one message lists every watch a claim matched, and
    a policy on any one of them selects it."""
    return {
        "watch_id": _as_array(watch_ids or ["unknown"]),
        "kind": _as_array(kinds),
        "severity": {"DataType": "String", "StringValue": severity},
        "place_ids": _as_array(p.place_id for c in claims for p in c.places),
        "place_names": _as_array(p.name or p.text for c in claims for p in c.places),
        "actor_names": _as_array(name for c in claims for name in actor_names(c)),
        "source": _as_array(c.source.name or c.source.text for c in claims),
        "cluster_id": _as_array(cl.cluster_id for cl in clusters if cl is not None),
        "outlet_count": {
            "DataType": "Number",
            "StringValue": str(max([cl.outlets for cl in clusters if cl is not None] or [0])),
        },
    }


def _cluster_json(cluster) -> dict | None:
    if cluster is None:
        return None
    return {
        "cluster_id": cluster.cluster_id,
        "is_new": cluster.is_new,
        "outlets": cluster.outlets,
        "articles": cluster.articles,
        "first_seen": cluster.first_seen,
        "developments": cluster.developments,
    }


def main_kind(kinds: Iterable[str]) -> str:
    """The kind a message is headed with when its watches differ: the most telling one."""
    kinds = list(kinds)
    for kind in ("development", "corroborated", "instant"):
        if kind in kinds:
            return kind
    return kinds[0] if kinds else "instant"


def cluster_view_url(cluster_id: str | None) -> str | None:
    """The claims page's view of a cluster, when the API is deployed (API_URL, set by the template)."""
    base = os.environ.get("API_URL", "").rstrip("/")
    return f"{base}/#/clusters/{quote(cluster_id, safe='')}" if base and cluster_id else None


def _watches_label(watch_ids: list) -> str:
    return ("watch " if len(watch_ids) == 1 else "watches ") + neutralise(", ".join(watch_ids), 160)


def render_alert(
    claim: Claim,
    matches: list,
    cluster,
    article_text: str | None = None,
    *,
    kind: str = "instant",
    severity: str = "medium",
    kinds: dict | None = None,
) -> RenderedAlert:
    """One claim as one message listing every watch it matched; ``kinds`` maps each watch to its
    delivery kind (instant, corroborated, development) when they differ."""
    watch_ids = sorted({m.watch_id for m in matches}) or ["unknown"]
    kinds = kinds or {w: kind for w in watch_ids}
    kind = main_kind(kinds.values())
    mixed = len(set(kinds.values())) > 1
    prov = claim.provenance
    line = claim_line(claim)
    subject = ascii_subject(
        f"[claimwatch {severity}] {', '.join(watch_ids)}: {source_label(claim)} - {claim.content.text}"
    )
    url = safe_url(prov.url)
    view = cluster_view_url(cluster.cluster_id if cluster is not None else claim.cluster_id)
    section = [
        line,
        "",
        "In context:",
        f"  {context_with_marks(claim, matches, article_text)}",
        "",
        "Why this alert:",
        *[
            f"  - watch {neutralise(m.watch_id, 80)}"
            + (f" ({kinds.get(m.watch_id)})" if mixed else "")
            + f": {neutralise(m.reason, 300)}"
            for m in matches
        ],
        "",
        f"Article: {neutralise(prov.title, 200) or '(untitled)'} — {neutralise(prov.outlet, 80) or 'unknown outlet'}"
        + (f", published {neutralise(prov.published, 40)}" if prov.published else ""),
        f"Link: {url or '(no safe link)'}",
        *([f"Cluster view: {view}"] if view else []),
        *_cluster_lines(cluster),
        f"Claim id: {neutralise(claim.id, 64)}",
    ]
    header = f"{HEADLINES.get(kind, 'Alert')} for {_watches_label(watch_ids)} (severity {severity})"
    payload = {
        "kind": kind,
        "watch_ids": watch_ids,
        "kinds": kinds,
        "severity": severity,
        "summary": line,
        "matches": [
            {
                "watch_id": m.watch_id,
                "kind": m.kind,
                "entity_key": m.entity_key,
                "text": m.text,
                "span": list(m.span) if m.span else None,
                "reason": m.reason,
            }
            for m in matches
        ],
        "cluster": _cluster_json(cluster),
        "cluster_url": view,
        "claim": claim.to_dict(),
    }
    return RenderedAlert(
        subject=subject,
        text="\n".join([header, ""] + section) + "\n",
        json=payload,
        attributes=message_attributes(watch_ids, sorted(set(kinds.values())), severity, [claim], [cluster]),
        section="\n".join(section) + "\n",
    )


def max_severity(severities: Iterable[str]) -> str:
    return max(severities, key=SEVERITY_ORDER.index, default="low")


def combine_alerts(alerts: list, claims: list, clusters: list, limit: int = 25) -> RenderedAlert:
    """A burst of claims for the same watches as one message (debounce); each claim still
    appears in exactly one message. One severity, the highest, for the subject and the body."""
    if len(alerts) == 1:
        return alerts[0]
    watch_ids = sorted({w for a in alerts for w in a.json["watch_ids"]})
    shown = alerts[:limit]
    severity = max_severity(a.json["severity"] for a in alerts)
    kinds = sorted({k for a in alerts for k in a.json["kinds"].values()})
    kind = kinds[0] if len(kinds) == 1 else "batch"
    label = ", ".join(watch_ids)
    subject = ascii_subject(f"[claimwatch {severity}] {label}: {len(alerts)} new claims")
    parts = [f"{len(alerts)} new claims for {_watches_label(watch_ids)} (severity {severity})", ""]
    for i, alert in enumerate(shown, 1):
        parts.append(f"=== {i}/{len(alerts)}: {HEADLINES.get(alert.json['kind'], 'Alert').lower()} ===")
        parts.append(alert.section)
    if len(alerts) > len(shown):
        parts.append(f"… and {len(alerts) - len(shown)} more (see the JSON part or the claims table)")
    return RenderedAlert(
        subject=subject,
        text="\n".join(parts),
        json={
            "kind": kind,
            "watch_ids": watch_ids,
            "severity": severity,
            "count": len(alerts),
            "alerts": [a.json for a in shown],
        },
        attributes=message_attributes(watch_ids, kinds, severity, claims, clusters),
        section="\n".join(parts[2:]),
    )


def render_digest(watch_id: str, period: str, groups: list) -> RenderedAlert:
    """One digest message. ``groups``: [(cluster, [claim, ...])], each cluster's claims together."""
    claims = [c for _, cs in groups for c in cs]
    clusters = [cl for cl, _ in groups]
    severity = "medium" if any(cl is not None and cl.outlets >= 3 for cl in clusters) else "low"
    subject = ascii_subject(f"[claimwatch digest] {watch_id}: {len(clusters)} claim(s), {period}")
    lines = [
        f"Digest for watch {neutralise(watch_id, 80)}, period {neutralise(period, 40)}: "
        f"{len(clusters)} new claim(s) from {len(claims)} report(s)",
        "",
    ]
    for i, (cluster, members) in enumerate(groups, 1):
        outlets = f"{cluster.outlets} outlet(s)" if cluster is not None else "1 outlet"
        lines.append(f"{i}. {claim_line(members[0])}  [{outlets}]")
        for claim in members:
            prov = claim.provenance
            lines.append(
                f"   - {neutralise(prov.outlet, 80) or 'unknown outlet'}: {safe_url(prov.url) or '(no safe link)'}"
            )
        for dev in (cluster.developments if cluster is not None else [])[:5]:
            lines.append(f"   * {neutralise(dev.get('kind'), 20)} by {neutralise(dev.get('source'), 80)}")
        lines.append("")
    payload = {
        "kind": "digest",
        "watch_ids": [watch_id],
        "severity": severity,
        "period": period,
        "clusters": [{"cluster": _cluster_json(cl), "claims": [c.to_dict() for c in cs]} for cl, cs in groups],
    }
    return RenderedAlert(
        subject=subject,
        text="\n".join(lines),
        json=payload,
        attributes=message_attributes([watch_id], ["digest"], severity, claims, clusters),
        section="\n".join(lines[2:]),
    )


# ---------------------------------------------------------------- chat (AWS Chatbot)
CHAT_TITLE_MAX = 250
CHAT_DESCRIPTION_MAX = 3500  # a Slack section holds 3,000 characters of text, Teams more: stay readable


def _chat_markdown(text: str) -> str:
    """Alert text as chat markdown: our [[marks]] bold, nothing in the text can open code blocks."""
    text = text.replace("`", "'").replace(MARK_OPEN, "*").replace(MARK_CLOSE, "*")
    return text.strip()


def chat_notification(rendered: RenderedAlert, message_id: str | None = None) -> dict:
    """The alert as an AWS Chatbot (Amazon Q Developer in chat applications) custom notification:
    ``{"version": "1.0", "source": "custom", "content": {"textType": "client-markdown", ...}}``,
    which Chatbot posts to Slack or Microsoft Teams. Developments of one cluster share a
    ``threadId``, so a denial lands in the thread of the claim it denies."""
    doc = rendered.json
    watch_ids = list(doc.get("watch_ids") or [])
    clusters = (
        [a.get("cluster") for a in doc.get("alerts", [doc])]
        if "clusters" not in doc
        else [g.get("cluster") for g in doc["clusters"]]
    )
    cluster_ids = [c["cluster_id"] for c in clusters if c]
    title = f"{HEADLINES.get(str(doc.get('kind')), 'Alert')} ({doc.get('severity', 'low')}): {', '.join(watch_ids)}"
    if doc.get("kind") not in HEADLINES:
        title = rendered.text.split("\n", 1)[0]
    notification: dict[str, Any] = {
        "version": "1.0",
        "source": "custom",
        "content": {
            "textType": "client-markdown",
            "title": cut_at_word(neutralise(title, 1000), CHAT_TITLE_MAX),
            "description": cut_at_word(_chat_markdown(rendered.section or rendered.text), CHAT_DESCRIPTION_MAX),
            "keywords": [neutralise(k, 50) for k in [*watch_ids, doc.get("severity", "")] if k][:10],
        },
        "metadata": {
            "summary": rendered.subject,
            "eventType": str(doc.get("kind", "alert")),
            "additionalContext": {
                "watch_ids": ",".join(watch_ids),
                "severity": str(doc.get("severity", "")),
                "cluster_ids": ",".join(cluster_ids),
            },
        },
    }
    if message_id:
        notification["id"] = message_id
    if len(cluster_ids) == 1:
        notification["metadata"]["threadId"] = cluster_ids[0]
    return notification
