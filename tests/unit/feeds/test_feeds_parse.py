"""Parsing hostile and broken feed bytes: entity expansion, local-path bodies, encodings."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.parse import check_entities, parse_feed

from .conftest import BILLION_LAUGHS, CP1251_FEED, QUADRATIC_BLOWUP, rss


@pytest.mark.parametrize(
    "document",
    [
        BILLION_LAUGHS,
        QUADRATIC_BLOWUP,
        # many short references to a short entity: still quadratic in effect
        b'<!DOCTYPE rss [<!ENTITY a "' + b"x" * 60 + b'">]><rss>' + b"&a;" * 40_000 + b"</rss>",
        b'<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><title>&x;</title></channel></rss>',
        b'<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://169.254.169.254/">%p;]><rss/>',
        # a value containing "<x" must not end the scan before the dangerous declaration
        b'<!DOCTYPE rss [<!ENTITY a "<x>"><!ENTITY b "&a;&a;&a;&a;">]><rss/>',
        # UTF-16 does not hide declarations from the check
        '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY a "&b;&b;">]><rss/>'.encode("utf-16"),
    ],
)
def test_entity_expansion_documents_are_refused_fast_and_small(document):
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FetchError) as info:
            parse_feed(document)
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.kind == "parse"
    assert elapsed < 1.0 and peak < 20 * len(document) + 2_000_000


def test_harmless_character_entities_are_kept():
    doc = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY nbsp "&#160;"><!ENTITY mdash "&#8212;">]>'
           b'<rss version="2.0"><channel><title>A&mdash;B</title><item><title>x&nbsp;y</title>'
           b"<link>http://news.test/1</link></item></channel></rss>")
    check_entities(doc)
    parsed = parse_feed(doc)
    assert parsed.title == "A\u2014B" and parsed.articles[0].title == "x\u00a0y"


def test_a_body_that_is_a_local_path_is_parsed_as_bytes_never_opened(tmp_path):
    secret = tmp_path / "feed.xml"
    secret.write_bytes(rss([("Secret local file", "http://secret.test/", "s", "do not read me")]))
    with pytest.raises(FetchError) as info:  # plain feedparser.parse(bytes) would open the file
        parse_feed(str(secret).encode())
    assert info.value.kind == "parse"


def test_charset_from_the_http_header_wins_for_unlabelled_bytes():
    body = rss([("Обстрел", "http://news.test/ru", "ru", "Текст")], encoding="windows-1251", declaration=False)
    parsed = parse_feed(body, headers={"Content-Type": "application/rss+xml; charset=windows-1251"})
    assert parsed.articles[0].title == "Обстрел"


def test_utf16_feed_is_parsed():
    body = rss([("Заголовок", "http://news.test/u", "u", "x")], encoding="utf-16")
    assert parse_feed(body).articles[0].title == "Заголовок"


def test_entries_listed_twice_are_returned_once_and_relative_links_resolve():
    body = rss([("A", "/a/1", "g1", "x"), ("A again", "/a/1?utm_source=dup", "g2", "x")])
    parsed = parse_feed(body, url="https://news.test/feed.xml", feed_id="f1")
    (article,) = parsed.articles
    assert article.url == "https://news.test/a/1" and article.feed_id == "f1"


def test_atom_feed_with_full_content_keeps_content_and_summary():
    body = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title>
    <entry><title>Full</title><id>tag:x,2026:1</id><link rel="alternate" href="https://news.test/full"/>
    <updated>2026-01-04T08:30:00+02:00</updated><summary>Short.</summary>
    <content type="html">&lt;p&gt;The whole story.&lt;/p&gt;</content></entry></feed>"""
    (article,) = parse_feed(body).articles
    assert article.content == "<p>The whole story.</p>" and article.summary == "Short."
    assert article.published == "2026-01-04T06:30:00Z" and article.outlet == "Atom News"


def test_cp1251_fixture_round_trip():
    parsed = parse_feed(CP1251_FEED)
    assert parsed.encoding.lower() in ("windows-1251", "cp1251") and parsed.title == "Новости"
