"""Feed bytes → articles. feedparser only ever sees bytes we fetched: it never fetches.

Two traps in feedparser are closed here:
- ``feedparser.parse(bytes)`` tries ``open(bytes)`` first, so a body that happens to be a local
  path (``/proc/self/environ``) would be read from disk; we hand it a ``BytesIO`` instead.
- entity declarations: feedparser keeps "safe" entities of any length and expat expands them, so
  a quadratic blowup passes; ``check_entities`` refuses every declaration that is not a short
  literal before anything parses.
Malformed feeds still yield what they can (bozo is a warning); encodings come from the HTTP
header and the XML declaration (feedparser's detection), e.g. windows-1251.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional

import feedparser

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.identity import article_id_for, canonical_url, content_hash
from claimwatch.model import Article

MAX_ENTRIES = 500  # a feed is a recent window; thousands of entries is a dump or an attack
MAX_ENTITY_DECLARATIONS = 64
MAX_ENTITY_VALUE = 64

_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)
# A safe declaration: a plain name and a short quoted literal (or one character reference).
_SAFE_VALUE = r"(?:[^\"'&<%%]{0,%d}|&#x?[0-9a-fA-F]{1,8};)" % MAX_ENTITY_VALUE
_SAFE_ENTITY = re.compile(
    r"<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:\"(%s)\"|'(%s)')\s*>" % (_SAFE_VALUE, _SAFE_VALUE)
)
MAX_EXPANSION = 1024 * 1024  # bytes that safe entities may add in total


def _scan_text(body: bytes) -> str:
    """The document as text for pattern checks: UTF-16/32 decoded, ASCII-compatible bytes as-is."""
    head = body[:4]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return body.decode("utf-32", errors="replace")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16", errors="replace")
    if head[:2] == b"\x00<" or head[:2] == b"<\x00":
        return body.decode("utf-16-be" if head[0] == 0 else "utf-16-le", errors="replace")
    return body.decode("latin-1")  # 1:1 on bytes: markup is ASCII in every such encoding


def check_entities(body: bytes) -> None:
    """Refuse entity-expansion documents (billion laughs, quadratic blowup, external entities).

    Every ``<!ENTITY`` anywhere in the document is checked (not only before the root element:
    a value containing ``<x`` must not end the scan early). Raises FetchError("parse").
    """
    text = _scan_text(body)
    declarations = [m.start() for m in _ENTITY_DECL.finditer(text)]
    if len(declarations) > MAX_ENTITY_DECLARATIONS:
        raise FetchError("parse", f"{len(declarations)} entity declarations: refused as an expansion attack")
    expansion = 0
    for start in declarations:
        match = _SAFE_ENTITY.match(text, start)
        if not match:
            snippet = text[start : start + 60].replace("\n", " ")
            raise FetchError("parse", f"unsafe entity declaration refused: {snippet!r}")
        name, value = match.group(1), match.group(2) or match.group(3) or ""
        # Short values referenced millions of times are the quadratic blowup: bound the total.
        expansion += len(value) * text.count(f"&{name};")
        if expansion > MAX_EXPANSION:
            raise FetchError("parse", f"entity references would expand past {MAX_EXPANSION} bytes")


@dataclass
class ParsedFeed:
    title: Optional[str]
    link: Optional[str]
    articles: list = field(default_factory=list)  # list[model.Article]
    bozo: bool = False
    bozo_message: Optional[str] = None
    version: str = ""
    encoding: Optional[str] = None


def _iso(struct_time) -> Optional[str]:
    if not struct_time:
        return None
    try:
        return datetime(*struct_time[:6], tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")
    except (TypeError, ValueError):
        return None


def _entry_link(entry) -> Optional[str]:
    link = entry.get("link")
    if link:
        return link
    for candidate in entry.get("links") or []:
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return candidate["href"]
    return None


def _entry_content(entry) -> Optional[str]:
    """The richest content block: HTML preferred, then the longest."""
    blocks = [c for c in entry.get("content") or [] if c.get("value")]
    if not blocks:
        return None
    blocks.sort(key=lambda c: ("html" in (c.get("type") or ""), len(c["value"])), reverse=True)
    return blocks[0]["value"]


def entry_to_article(entry, *, feed_id: Optional[str], outlet: Optional[str]) -> Article:
    link = _entry_link(entry)
    guid = entry.get("id") or None
    title = (entry.get("title") or "").strip() or None
    content = _entry_content(entry)
    summary = entry.get("summary") or None
    published = _iso(entry.get("published_parsed") or entry.get("updated_parsed"))
    return Article(
        article_id=article_id_for(link, guid, title, feed_id),
        url=link,
        canonical_url=canonical_url(link),
        title=title,
        outlet=outlet,
        published=published,
        feed_id=feed_id,
        guid=guid,
        content=content,
        summary=summary,
        content_hash=content_hash(content or summary, title),
    )


def parse_feed(
    body: bytes,
    *,
    url: Optional[str] = None,
    headers: Optional[dict] = None,
    feed_id: Optional[str] = None,
    outlet: Optional[str] = None,
) -> ParsedFeed:
    """Parse feed bytes. Raises FetchError("parse") for hostile documents and for bytes that
    are not a feed at all; a malformed feed that still has entries is returned with ``bozo``."""
    check_entities(body)
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    if url:
        response_headers.setdefault("content-location", url)  # base for relative links
    parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers)
    bozo_message = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    if not parsed.entries and not parsed.get("version"):
        raise FetchError("parse", f"not a feed ({bozo_message or 'no RSS/Atom root element'})", url=url)
    feed_title = (parsed.feed.get("title") or "").strip() or None
    articles: dict[str, Article] = {}
    for entry in parsed.entries[:MAX_ENTRIES]:
        article = entry_to_article(entry, feed_id=feed_id, outlet=outlet or feed_title)
        articles.setdefault(article.article_id, article)  # a feed listing an entry twice
    return ParsedFeed(
        title=feed_title,
        link=parsed.feed.get("link"),
        articles=list(articles.values()),
        bozo=bool(parsed.get("bozo")),
        bozo_message=bozo_message,
        version=parsed.get("version") or "",
        encoding=parsed.get("encoding"),
    )
