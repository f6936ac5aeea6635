"""Article text: full entry content is used as is; teasers trigger a page fetch through the
same safe client; a page that cannot be used falls back to the summary with the reason."""

from __future__ import annotations

from claimwatch.feeds.content import article_text, html_to_text, is_full_text
from claimwatch.feeds.http import SafeHttpClient
from claimwatch.model import Article

from .conftest import LoopbackOnlyConnector

FULL = "".join(
    f"<p>Paragraph {i}: the adviser said the town was surrounded and supply routes were cut.</p>" for i in range(20)
)


def make_article(url, content=None, summary=None, **kw):
    return Article(
        article_id="a1",
        url=url,
        canonical_url=url,
        title=kw.get("title", "Feed title"),
        outlet="Feed Outlet",
        published="2026-01-05T10:00:00Z",
        content=content,
        summary=summary,
    )


class NoNetworkClient:
    def get(self, *args, **kwargs):
        raise AssertionError("full-text entries must not fetch the page")


def test_full_entry_content_is_used_without_fetching():
    result = article_text(make_article("http://news.test/a/1", content=FULL, summary="Teaser"), NoNetworkClient())
    assert result.source == "feed" and result.text.startswith("Paragraph 0: the adviser said")
    assert "<p>" not in result.text and result.text.count("\n\n") == 19  # paragraphs kept apart
    assert (result.title, result.outlet, result.published) == ("Feed title", "Feed Outlet", "2026-01-05T10:00:00Z")


def test_summary_only_entry_fetches_the_page_and_extracts_main_text(client, feed_server):
    article = make_article(f"{feed_server.base}/page", summary="Officials said the bridge was hit…", title=None)
    article.outlet = None
    article.published = None
    result = article_text(article, client)
    assert result.source == "page" and result.error is None
    assert "Paragraph 7: officials said the bridge over the river was hit overnight" in result.text
    assert "Subscribe to our newsletter" not in result.text and "Home | World" not in result.text  # boilerplate gone
    assert result.title == "Bridge hit overnight" and result.outlet == "Loopback News"
    assert result.canonical_url == "http://news.test/a/1" and result.published == "2026-01-05"
    _, headers = feed_server.requests[-1]
    assert "text/html" in headers["accept"]


def test_page_fetch_goes_through_the_guard():
    connector = LoopbackOnlyConnector()
    article = make_article("http://169.254.169.254/latest/meta-data/", summary="A teaser that is all we have.")
    result = article_text(article, SafeHttpClient(connector=connector))
    assert result.source == "summary" and result.text == "A teaser that is all we have."
    assert result.error.kind == "blocked_address" and connector.calls == []


def test_failed_page_falls_back_to_the_summary_with_the_error(client, feed_server):
    article = make_article(f"{feed_server.base}/404", summary="<p>Short &amp; sweet.</p>")
    result = article_text(article, client)
    assert result.source == "summary" and result.text == "Short & sweet."
    assert result.error.kind == "http_status" and result.to_dict()["error"]["status"] == 404


def test_truncated_content_is_not_full_text():
    long_teaser = "word " * 400 + "Continue reading..."
    assert not is_full_text(long_teaser)
    assert is_full_text(html_to_text(FULL))
    assert html_to_text("<script>alert(1)</script><p>a &amp; b</p>") == "a & b"


def test_html_in_hand_is_reduced_to_its_main_text():
    from claimwatch.feeds.content import html_to_article_text

    from .conftest import ARTICLE_PAGE

    result = html_to_article_text(ARTICLE_PAGE.decode("utf-8"), url="http://news.test/a/1?utm_source=x")
    assert result.title == "Bridge hit overnight" and "Paragraph 3:" in result.text
    assert "newsletter" not in result.text and result.canonical_url == "http://news.test/a/1"
    assert html_to_article_text("<html><body></body></html>").text == ""


# -- bounded extraction: trafilatura never sees more than the caps -----------------------------------

ARTICLE_PARAGRAPHS = "".join(
    f"<p>Paragraph {i}: officials said the bridge over the river was hit overnight and repair crews "
    f"were sent at dawn, according to the regional administration.</p>"
    for i in range(8)
)


def spy_on_trafilatura(monkeypatch) -> list:
    import trafilatura

    seen = []
    real = trafilatura.bare_extraction

    def spy(tree, **kwargs):
        if isinstance(tree, (bytes, str)):  # raw markup: trafilatura would parse all of it
            seen.append((float("inf"), float("inf")))
        else:
            seen.append((sum(1 for _ in tree.iter()), max(len(element) for element in tree.iter())))
        return real(tree, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    return seen


def test_a_page_of_crowded_and_countless_elements_reaches_trafilatura_bounded(monkeypatch):
    from claimwatch.feeds.content import MAX_CHILDREN, MAX_PAGE_ELEMENTS, extract_page

    seen = spy_on_trafilatura(monkeypatch)
    # 100,000 spans in one paragraph (trafilatura is quadratic in them: 20,000 cost 27 s) and
    # 200,000 more elements after it; gzipped this is a few KB.
    hostile = (
        "<html><head><title>Bridge hit</title></head><body><article>"
        + ARTICLE_PARAGRAPHS
        + "<p>"
        + "<span>word</span> " * 100_000
        + "</p>"
        + "<div><i>x</i></div>" * 100_000
        + "</article></body></html>"
    ).encode()
    page = extract_page(hostile, "http://news.test/a/1")
    ((elements, widest),) = seen
    assert elements <= MAX_PAGE_ELEMENTS and widest <= MAX_CHILDREN
    assert "Paragraph 7: officials said the bridge" in page.text  # the article before the junk survives


def test_an_oversized_utf8_page_is_cut_on_a_character_boundary():
    from claimwatch.feeds.content import MAX_PAGE_CHARS, extract_page

    head = (
        "<html><head><meta charset='utf-8'><title>Мост</title></head><body><article>"
        + "".join(
            f"<p>Абзац {i}: советник главы администрации заявил, что мост через реку был "
            f"поврежден ночью, а ремонтные бригады выехали на рассвете.</p>"
            for i in range(8)
        )
        + "</article><footer>"
    ).encode()
    filler = "<p>я</p>".encode() * (MAX_PAGE_CHARS // 8)
    pad = (MAX_PAGE_CHARS - len(head) - 4) % len("<p>я</p>".encode())  # the cut lands inside a "я"
    body = head + b" " * pad + filler
    assert len(body) > MAX_PAGE_CHARS and body[MAX_PAGE_CHARS] & 0xC0 == 0x80
    page = extract_page(body, "http://news.test/ru/1")
    assert "Абзац 7: советник главы администрации заявил" in page.text
