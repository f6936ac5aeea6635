"""Feed bytes → articles. feedparser only ever sees bytes we checked: it never fetches.

The pipeline, each step bounded before the next one runs:
1. ``decode_feed``: the bytes are decoded once, to text, with the encoding the BOM, the HTTP
   charset or the XML declaration names (in that order; then UTF-8, then windows-1252). Only
   the encodings in ``ALLOWED_ENCODINGS`` are used: EBCDIC, UTF-7 and the like are refused with
   ``FetchError("bad_encoding")`` (feedparser would decode them itself, behind the guard's back).
2. ``check_entities`` on that text: every declaration that is not a short literal is refused
   (billion laughs, quadratic blowup, external entities).
3. ``bound_document``: at most ``MAX_ENTRIES`` items, ``MAX_FEED_CHARS`` characters and
   ``MAX_FEED_MARKUP`` tags and attributes go to feedparser (its cost is per tag and attribute);
   an item over its own caps is dropped, the rest cut; each cut is recorded in ``ParsedFeed.notes``.
4. the checked text, re-encoded as UTF-8 under a UTF-8 XML declaration, is scanned by expat for
   elements with more than ``MAX_ATTRIBUTES`` attributes (feedparser's strict parser is quadratic
   in them), then handed to feedparser as a ``BytesIO`` (``feedparser.parse(bytes)`` would first
   try to ``open()`` them as a path) with ``charset=utf-8``, so it parses exactly what was checked.
5. each field is cut to ``FIELD_CAPS`` before an Article is built.
Malformed feeds still yield what they can (bozo is a warning).
"""

from __future__ import annotations

import codecs
import contextlib
import io
import itertools
import logging
import re
import threading
import xml.parsers.expat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.http import content_type_charset
from claimwatch.feeds.identity import article_id_for, canonical_url, content_hash
from claimwatch.model import Article

log = logging.getLogger(__name__)

MAX_ENTRIES = 500  # a feed is a recent window; thousands of entries is a dump or an attack
MAX_ENTITY_DECLARATIONS = 64
MAX_ENTITY_VALUE = 64
MAX_FEED_CHARS = 2_000_000  # characters of document handed to feedparser
MAX_FEED_MARKUP = 50_000  # tags and attributes handed to feedparser: its cost is ~5-25 µs each
MAX_ITEM_CHARS = 1_000_000  # one item over this is dropped, not the feed
MAX_ITEM_MARKUP = 10_000
MAX_TAIL_CHARS = 64 * 1024  # after the last item: the closing tags, nothing more is needed
MAX_ATTRIBUTES = 32  # per element; feedparser's strict (SAX) parser is quadratic in them
# Parsing holds the GIL, so running big documents one at a time costs a batch no time, and
# caps its memory: each one's decoded text, bounded copy and feedparser objects (~3-5x its size).
LARGE_DOCUMENT = 1_000_000  # bytes
_LARGE_PARSES = threading.BoundedSemaphore(1)
FIELD_CAPS = {"title": 1_000, "link": 2_048, "guid": 1_024, "summary": 20_000, "content": 200_000}  # characters

# Canonical codec names (codecs.lookup(name).name) that may decode a feed: ASCII-compatible
# single-byte code pages and the Unicode encodings. Everything else (EBCDIC, UTF-7, ...) is refused.
ALLOWED_ENCODINGS = frozenset(
    [
        "ascii",
        "utf-8",
        "utf-8-sig",
        "utf-16",
        "utf-16-le",
        "utf-16-be",
        "utf-32",
        "utf-32-le",
        "utf-32-be",
        "koi8-r",
        "koi8-u",
    ]
    + [f"iso8859-{n}" for n in range(1, 17) if n != 12]
    + [f"cp125{n}" for n in range(9)]
)
_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "<?" or "<" and a name start, without a BOM (XML 1.0 appendix F)
_WIDE_MARKERS = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
_EBCDIC_MARKER = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC
_XML_DECLARATION = re.compile(r"\A\s*<\?xml\b[^>]{0,200}?\?>")
_DECLARED_ENCODING = re.compile(r"""encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
UTF8_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'

_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)
# A safe declaration: a plain name and a short quoted literal (or one character reference).
_SAFE_VALUE = rf"(?:[^\"'&<%]{{0,{MAX_ENTITY_VALUE}}}|&#x?[0-9a-fA-F]{{1,8}};)"
_SAFE_ENTITY = re.compile(rf"<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:\"({_SAFE_VALUE})\"|'({_SAFE_VALUE})')\s*>")
MAX_EXPANSION = 1024 * 1024  # bytes that safe entities may add in total


def _codec(name: str | None) -> str | None:
    """The canonical codec name, or None for a name Python does not know (such a label is ignored)."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def _refuse_encoding(name: str, source: str) -> FetchError:
    return FetchError("bad_encoding", f"{source} encoding {name!r} is not an allowed feed encoding")


def decode_feed(body: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """(text, codec name): the document decoded once, BOM removed. FetchError("bad_encoding") when
    the encoding that would apply is outside ``ALLOWED_ENCODINGS``."""
    family: str | None = None  # the byte layout the first bytes prove; the labels can only refine it
    for bom, name in _BOMS:
        if body.startswith(bom):
            family, body = name, body[len(bom) :]
            break
    else:
        if body[:4] == _EBCDIC_MARKER:
            raise _refuse_encoding("EBCDIC (cp037 family)", "sniffed")
        family = next((name for marker, name in _WIDE_MARKERS if body.startswith(marker)), None)
    wide = family is not None and family.startswith(("utf-16", "utf-32"))
    # The declaration is ASCII in every allowed encoding: read it in the proven layout.
    head = body[:1024].decode(family if wide and family else "latin-1", errors="replace")
    declaration = _XML_DECLARATION.match(head)
    declared_match = _DECLARED_ENCODING.search(declaration.group(0)) if declaration else None
    labels = [("HTTP charset", http_charset), ("XML declaration", declared_match and declared_match.group(1))]
    candidates: list[str] = [family] if family else []
    for source, label in labels:
        codec = _codec(label)
        if codec is None:
            continue  # unknown or absent: feedparser could not use it either
        if codec not in ALLOWED_ENCODINGS:
            if not candidates:  # it is the encoding that would apply
                raise _refuse_encoding(str(label), source)
            continue
        if wide != codec.startswith(("utf-16", "utf-32")):
            continue  # a label contradicting the byte layout (e.g. "utf-16" on ASCII bytes)
        candidates.append(codec)
    if not wide:
        candidates += ["utf-8", "cp1252"]
    for name in dict.fromkeys(candidates):
        try:
            return body.decode(name), name
        except UnicodeDecodeError:
            continue
    name = candidates[0]
    return body.decode(name, errors="replace"), name  # stray bytes become U+FFFD, markup survives


def check_entities(text: str | bytes) -> None:
    """Refuse entity-expansion documents (billion laughs, quadratic blowup, external entities).

    Runs on the decoded text (bytes are decoded with ``decode_feed`` first). Every ``<!ENTITY``
    anywhere in the document is checked (not only before the root element: a value containing
    ``<x`` must not end the scan early). Raises FetchError("parse").
    """
    if isinstance(text, bytes):
        text = decode_feed(text)[0]
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


_ITEM_NAME = re.compile(r"(?:item|entry)(?=[\s/>])")  # a literal-led search: 4x faster than one led by "<"
_NAME_PREFIX = re.compile(r"[A-Za-z_][\w.-]{0,40}:")
_ITEM_END = re.compile(r"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")


def _item_starts(text: str) -> Iterator[int]:
    """Offsets of the "<" of every ``<item``/``<entry`` start tag (``<rss:item`` too), in order."""
    for match in _ITEM_NAME.finditer(text):
        name = match.start()
        before = text[name - 1 : name]
        if before == "<":
            yield name - 1
        elif before == ":":
            opening = text.rfind("<", max(0, name - 43), name)
            if opening >= 0 and _NAME_PREFIX.fullmatch(text, opening + 1, name):
                yield opening


def _markup(text: str, start: int, end: int) -> int:
    """Tags and attributes feedparser will process in text[start:end], escaped HTML included (its
    sanitizer parses that too); an attribute is counted by its '="' or "='"."""
    count = text.count
    return count("<", start, end) + count("&lt;", start, end) + count('="', start, end) + count("='", start, end)


def bound_document(text: str) -> tuple[str, list[str]]:
    """(document, notes): the text cut to the item, size and tag budgets, notes saying what was cut.

    Items are spans from one ``<item``/``<entry`` start to the next (so text between items is
    counted too); the closing tags after the last item are kept. A document within budget is
    returned as is. FetchError("too_large") when the part before the first item is over budget.
    """
    if (
        len(text) <= MAX_FEED_CHARS
        and _markup(text, 0, len(text)) <= MAX_FEED_MARKUP
        and sum(1 for _ in itertools.islice(_item_starts(text), MAX_ENTRIES + 1)) <= MAX_ENTRIES
    ):
        return text, []
    starts = _item_starts(text)
    first = next(starts, None)
    head_end = len(text) if first is None else first
    if head_end > MAX_ITEM_CHARS or _markup(text, 0, head_end) > MAX_ITEM_MARKUP:
        raise FetchError(
            "too_large",
            f"feed header (before the first item) over {MAX_ITEM_CHARS} characters "
            f"or {MAX_ITEM_MARKUP} tags and attributes",
        )
    tail_from = max(head_end, len(text) - MAX_TAIL_CHARS)
    item_ends = list(_ITEM_END.finditer(text, tail_from))  # within the last MAX_TAIL_CHARS
    tail_start = item_ends[-1].end() if item_ends else len(text)
    parts = [text[:head_end]]
    size, markup, kept, dropped = head_end, _markup(text, 0, head_end), 0, 0
    notes: list[str] = []
    span_start = head_end
    cut_at = None
    while first is not None:
        following = next(starts, None)
        span_end = following if following is not None and following < tail_start else tail_start
        span_chars, span_markup = span_end - span_start, _markup(text, span_start, span_end)
        if span_chars > MAX_ITEM_CHARS or span_markup > MAX_ITEM_MARKUP:
            dropped += 1
        elif kept >= MAX_ENTRIES or size + span_chars > MAX_FEED_CHARS or markup + span_markup > MAX_FEED_MARKUP:
            cut_at = span_start
            break
        else:
            parts.append(text[span_start:span_end])
            size, markup, kept = size + span_chars, markup + span_markup, kept + 1
        if span_end >= tail_start:
            break
        span_start, first = span_end, following
    if dropped:
        notes.append(
            f"{dropped} item(s) over {MAX_ITEM_CHARS} characters or {MAX_ITEM_MARKUP} tags and attributes dropped"
        )
    if cut_at is not None:
        notes.append(
            f"feed cut after {kept} items at character {cut_at} of {len(text)} (caps: {MAX_ENTRIES} "
            f"items, {MAX_FEED_CHARS} characters, {MAX_FEED_MARKUP} tags and attributes)"
        )
    parts.append(text[tail_start:])  # the closing tags (empty when no item end was near the end)
    return "".join(parts), notes


def check_attributes(document: bytes) -> None:
    """Refuse an element with more than MAX_ATTRIBUTES attributes (what feedparser's strict parse
    would see: a malformed document stops here as it stops there, and its loose parse is linear)."""
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def start(name, attributes):
        if len(attributes) > MAX_ATTRIBUTES:
            raise FetchError(
                "parse", f"element <{name[:40]}> with {len(attributes)} attributes refused (cap {MAX_ATTRIBUTES})"
            )

    parser.StartElementHandler = start
    with contextlib.suppress(xml.parsers.expat.ExpatError):  # a malformed tail: what was read is counted
        parser.Parse(document, True)


def prepare_document(body: bytes, http_charset: str | None = None) -> tuple[bytes, str, list[str]]:
    """(UTF-8 document for feedparser, source encoding, notes): decoded, checked and bounded."""
    text, encoding = decode_feed(body, http_charset)
    check_entities(text)
    text, notes = bound_document(text)
    declaration = _XML_DECLARATION.match(text)
    text = UTF8_DECLARATION + (text[declaration.end() :] if declaration else text)
    document = text.encode("utf-8", errors="replace")
    check_attributes(document)
    return document, encoding, notes


@dataclass
class ParsedFeed:
    title: str | None
    link: str | None
    articles: list = field(default_factory=list)  # list[model.Article]
    bozo: bool = False
    bozo_message: str | None = None
    version: str = ""
    encoding: str | None = None  # the source encoding (feedparser is handed UTF-8)
    notes: list = field(default_factory=list)  # what the caps cut: items dropped, fields truncated


def _iso(struct_time) -> str | None:
    if not struct_time:
        return None
    try:
        return datetime(*struct_time[:6]).replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    except (TypeError, ValueError):
        return None


def _entry_link(entry) -> str | None:
    link = entry.get("link")
    if link:
        return link
    for candidate in entry.get("links") or []:
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return candidate["href"]
    return None


def _entry_content(entry) -> str | None:
    """The richest content block: HTML preferred, then the longest."""
    blocks = [c for c in entry.get("content") or [] if c.get("value")]
    if not blocks:
        return None
    blocks.sort(key=lambda c: ("html" in (c.get("type") or ""), len(c["value"])), reverse=True)
    return blocks[0]["value"]


def _capped(name: str, value: str | None, notes: list | None) -> str | None:
    cap = FIELD_CAPS[name]
    if value is None or len(value) <= cap:
        return value
    if notes is not None:
        notes.append(f"{name} cut from {len(value)} to {cap} characters")
    return value[:cap]


def entry_to_article(entry, *, feed_id: str | None, outlet: str | None, notes: list | None = None) -> Article:
    """An Article from a feedparser entry, every field cut to FIELD_CAPS (each cut noted in ``notes``)."""
    link = _capped("link", _entry_link(entry), notes)
    guid = _capped("guid", entry.get("id") or None, notes)
    title = _capped("title", (entry.get("title") or "").strip() or None, notes)
    content = _capped("content", _entry_content(entry), notes)
    summary = _capped("summary", entry.get("summary") or None, notes)
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
    url: str | None = None,
    headers: dict | None = None,
    feed_id: str | None = None,
    outlet: str | None = None,
) -> ParsedFeed:
    """Parse feed bytes. Raises FetchError for hostile documents ("parse", "bad_encoding",
    "too_large") and for bytes that are not a feed at all ("parse"); a malformed feed that still
    has entries is returned with ``bozo``; what the caps cut is in ``notes``."""
    with _LARGE_PARSES if len(body) > LARGE_DOCUMENT else contextlib.nullcontext():
        return _parse_feed(body, url=url, headers=headers, feed_id=feed_id, outlet=outlet)


def _parse_feed(body: bytes, *, url, headers, feed_id, outlet) -> ParsedFeed:
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    content_type = response_headers.get("content-type", "")
    try:
        document, encoding, notes = prepare_document(body, content_type_charset(content_type))
    except FetchError as exc:
        exc.url = exc.url or url
        raise
    # feedparser decodes what it is told: the checked UTF-8, whatever the server declared.
    media_type = content_type.split(";", 1)[0].strip() or "application/xml"
    response_headers["content-type"] = f"{media_type}; charset=utf-8"
    if url:
        response_headers.setdefault("content-location", url)  # base for relative links
    parsed = feedparser.parse(io.BytesIO(document), response_headers=response_headers)
    bozo_message = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    if not parsed.entries and not parsed.get("version"):
        raise FetchError("parse", f"not a feed ({bozo_message or 'no RSS/Atom root element'})", url=url)
    feed_title = _capped("title", (parsed.feed.get("title") or "").strip() or None, notes)
    articles: dict[str, Article] = {}
    for entry in parsed.entries[:MAX_ENTRIES]:
        article = entry_to_article(entry, feed_id=feed_id, outlet=outlet or feed_title, notes=notes)
        articles.setdefault(article.article_id, article)  # a feed listing an entry twice
    if notes:
        log.warning("feed %s cut to its caps: %s", url, "; ".join(notes[:5]))
    return ParsedFeed(
        title=feed_title,
        link=_capped("link", parsed.feed.get("link"), notes),
        articles=list(articles.values()),
        bozo=bool(parsed.get("bozo")),
        bozo_message=bozo_message,
        version=parsed.get("version") or "",
        encoding=encoding,
        notes=notes,
    )
