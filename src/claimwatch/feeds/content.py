"""Article text: the feed entry's content when it is the full text, else the article page
fetched through the same safe client and its main text extracted (trafilatura).

The returned text is exactly what extraction gets, so claim spans index into it; callers store it
to show a claim in context later.

Page extraction is bounded before trafilatura runs (``bounded_page_tree``): at most
``MAX_PAGE_CHARS`` of HTML are parsed, and the tree keeps its first ``MAX_PAGE_ELEMENTS``
elements in document order and at most ``MAX_CHILDREN`` children per element. trafilatura's main
pass is quadratic in the children of one element (5,000 spans in one paragraph: 0.9 s of CPU,
20,000: 27 s), so a small gzipped page could cost a minute.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, fields
from html.parser import HTMLParser

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.http import PAGE_ACCEPT
from claimwatch.feeds.identity import canonical_url
from claimwatch.model import Article

FULL_TEXT_MIN_CHARS = 1200  # shorter entry content is a teaser: fetch the page
MAX_PAGE_CHARS = 3_000_000  # HTML parsed per page (bytes are cut before decoding); article pages are ~0.1-2 MB
MAX_PAGE_ELEMENTS = 20_000  # elements trafilatura sees (news pages: ~1,500-10,000)
MAX_CHILDREN = 2_000  # children of one element trafilatura sees
_TRUNCATION = re.compile(
    r"(\.\.\.|…|\[…\]|\[\.\.\.\]|read more|continue reading|the post .{0,200} appeared first on .{0,200})\W*$", re.I
)


@dataclass
class ArticleText:
    text: str
    title: str | None = None
    published: str | None = None  # ISO 8601 (the feed's time, else the page's date)
    canonical_url: str | None = None
    outlet: str | None = None
    source: str = "feed"  # feed | page | summary (page fetch failed or empty: best we have)
    error: FetchError | None = None  # why the page could not be used, when source == "summary"

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}  # asdict would deep-copy the error
        d["error"] = self.error.to_dict() if self.error else None
        return d


_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr section article header footer figure "
    "figcaption".split()
)


class _TextCollector(HTMLParser):
    """HTML fragment → text with paragraph breaks; script/style dropped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str | None) -> str:
    if not fragment:
        return ""
    if "<" not in fragment:
        return re.sub(r"[ \t]+", " ", html.unescape(fragment)).strip()
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    paragraphs = (re.sub(r"\s+", " ", p).strip() for p in "".join(collector.parts).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def is_full_text(text: str, min_chars: int = FULL_TEXT_MIN_CHARS) -> bool:
    return len(text) >= min_chars and not _TRUNCATION.search(text[-300:])


@dataclass
class PageText:
    text: str
    title: str | None
    published: str | None
    canonical_url: str | None
    outlet: str | None


def _remove_following(node) -> None:
    """Remove node and everything after it in document order."""
    parent = node.getparent()
    ancestor, ancestor_parent = node, parent
    while ancestor_parent is not None:
        for sibling in list(ancestor.itersiblings()):
            ancestor_parent.remove(sibling)
        ancestor, ancestor_parent = ancestor_parent, ancestor_parent.getparent()
    if parent is not None:
        parent.remove(node)


def bounded_page_tree(page: str | bytes):
    """The page parsed as trafilatura parses it, cut to the caps; None when it is not HTML."""
    from trafilatura.utils import load_html

    if len(page) > MAX_PAGE_CHARS:
        end = MAX_PAGE_CHARS
        if isinstance(page, bytes):  # do not split a UTF-8 sequence: trafilatura would guess another encoding
            while end > MAX_PAGE_CHARS - 4 and page[end] & 0xC0 == 0x80:
                end -= 1
        page = page[:end]
    tree = load_html(page)
    if tree is None:
        return None
    crowded = [element for element in tree.iter() if len(element) > MAX_CHILDREN]
    for element in crowded:
        for child in element[MAX_CHILDREN:]:
            element.remove(child)
    for count, element in enumerate(tree.iter(), 1):
        if count > MAX_PAGE_ELEMENTS:
            _remove_following(element)
            break
    return tree


def extract_page(body: str | bytes, url: str | None = None) -> PageText | None:
    """Main text and metadata of an HTML page, or None when nothing article-like is found."""
    try:
        import trafilatura  # imported on first use: most feeds carry full text, and it costs ~0.1 s

        tree = bounded_page_tree(body)
        doc = tree is not None and trafilatura.bare_extraction(
            tree, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as exc:  # lxml/trafilatura failures on hostile markup are a parse failure
        raise FetchError("parse", f"page extraction failed: {type(exc).__name__}: {exc}", url=url) from exc
    if not doc:
        return None
    doc = doc.as_dict() if hasattr(doc, "as_dict") else doc  # a Document in trafilatura 2, a dict before
    if not isinstance(doc, dict) or not (doc.get("text") or "").strip():
        return None
    return PageText(
        text=doc["text"].strip(),
        title=doc.get("title"),
        published=doc.get("date"),
        canonical_url=canonical_url(doc.get("url")),
        outlet=doc.get("sitename") or doc.get("hostname"),
    )


def html_to_article_text(page: str | bytes, url: str | None = None) -> ArticleText:
    """Main text and metadata of an HTML page already in hand (``claimwatch extract FILE.html``);
    ``text`` is empty when nothing article-like was found."""
    extracted = extract_page(page, url)
    if extracted is None:
        return ArticleText("", None, None, canonical_url(url), None, "page")
    return ArticleText(
        extracted.text,
        extracted.title,
        extracted.published,
        extracted.canonical_url or canonical_url(url),
        extracted.outlet,
        "page",
    )


def article_text(article: Article, client, *, min_full_text: int = FULL_TEXT_MIN_CHARS) -> ArticleText:
    """The text to extract claims from. Never raises for a bad page: falls back to the entry's
    content or summary with ``source="summary"`` and the error attached."""
    feed_text = html_to_text(article.content) or ""
    canonical = article.canonical_url or canonical_url(article.url)
    if is_full_text(feed_text, min_full_text):
        return ArticleText(feed_text, article.title, article.published, canonical, article.outlet, "feed")
    fallback = feed_text if len(feed_text) >= len(html_to_text(article.summary)) else html_to_text(article.summary)
    error: FetchError | None = None
    url = article.url or article.canonical_url
    if url:
        try:
            response = client.get(url, accept=PAGE_ACCEPT, expect="page")
            page = extract_page(response.body, response.url)
            if page is None or len(page.text) < len(fallback):
                raise FetchError("parse", "no main text found on the page", url=response.url)
        except FetchError as exc:
            error = exc
        else:
            return ArticleText(
                text=page.text,
                title=article.title or page.title,
                published=article.published or page.published,
                canonical_url=page.canonical_url or canonical,
                outlet=article.outlet or page.outlet,
                source="page",
            )
    else:
        error = FetchError("bad_scheme", "entry has no link to fetch")
    return ArticleText(fallback, article.title, article.published, canonical, article.outlet, "summary", error)
