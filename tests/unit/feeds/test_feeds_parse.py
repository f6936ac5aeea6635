"""Parsing hostile and broken feed bytes: entity expansion, local-path bodies, encodings."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from claimwatch.feeds.errors import FetchError
from claimwatch.feeds.parse import FIELD_CAPS, MAX_ENTRIES, MAX_FEED_MARKUP, check_entities, parse_feed

from .conftest import BILLION_LAUGHS, CP1251_FEED, EBCDIC_LAUGHS, QUADRATIC_BLOWUP, rss


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
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY nbsp "&#160;"><!ENTITY mdash "&#8212;">]>'
        b'<rss version="2.0"><channel><title>A&mdash;B</title><item><title>x&nbsp;y</title>'
        b"<link>http://news.test/1</link></item></channel></rss>"
    )
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


# -- encodings: the guard checks the text feedparser parses ---------------------------------------

LAUGHS_TEXT = BILLION_LAUGHS.decode("ascii").replace('<?xml version="1.0"?>', "")


def declared(encoding: str, text: str = LAUGHS_TEXT) -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?>{text}'


def refused_fast_and_small(document: bytes, **kwargs) -> FetchError:
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as info:
            parse_feed(document, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * len(document) + 2_000_000  # nothing was expanded
    return info.value


def test_ebcdic_billion_laughs_is_refused_before_anything_expands():
    # feedparser sniffs "<?xm" in EBCDIC and decodes cp037 itself: a latin-1 scan saw no entities.
    error = refused_fast_and_small(EBCDIC_LAUGHS)
    assert error.kind == "bad_encoding" and "EBCDIC" in error.message


def test_ebcdic_labelled_only_by_the_http_charset_is_refused():
    document = LAUGHS_TEXT.encode("cp037")  # no declaration, so no marker: only the header says cp037
    error = refused_fast_and_small(document, headers={"Content-Type": "application/xml; charset=ebcdic-cp-us"})
    assert error.kind == "bad_encoding" and "ebcdic-cp-us" in error.message


def test_utf7_declaration_is_refused():
    document = declared("utf-7", '<!DOCTYPE r [+ADw-!ENTITY a "x"+AD4-]><rss version="2.0"/>').encode("ascii")
    assert refused_fast_and_small(document).kind == "bad_encoding"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be"])
def test_wide_encoding_billion_laughs_is_refused_by_the_entity_guard(codec):
    label = codec.split("-")[0] + "-" + codec.split("-")[1]  # the declaration names utf-16 / utf-32
    error = refused_fast_and_small(declared(label).encode(codec))
    assert error.kind == "parse" and "entity" in error.message


CYRILLIC_ITEMS = [("Обстрел в Донецке", "http://news.test/ru/1", "ru-1", "Советник заявил о наступлении.")]


@pytest.mark.parametrize(
    "encoding,declaration,header",
    [
        ("windows-1251", True, None),
        ("windows-1251", False, "windows-1251"),
        ("koi8-r", True, None),
        ("koi8-r", False, "KOI8-R"),
        ("koi8-u", True, "koi8-u"),
        ("iso-8859-5", True, None),
        ("utf-16-le", True, None),  # no BOM: the byte layout is sniffed
        ("utf-16", False, None),  # BOM only
        ("utf-8", False, None),
    ],
)
def test_legit_cyrillic_feeds_parse_with_correct_titles(encoding, declaration, header):
    body = rss(CYRILLIC_ITEMS, title="Новости", encoding=encoding, declaration=declaration)
    headers = {"Content-Type": f"application/rss+xml; charset={header}"} if header else None
    parsed = parse_feed(body, headers=headers)
    assert parsed.title == "Новости" and parsed.articles[0].title == "Обстрел в Донецке"
    assert parsed.articles[0].summary == "Советник заявил о наступлении."


def test_a_wrong_http_charset_falls_back_to_the_declaration():
    parsed = parse_feed(CP1251_FEED, headers={"Content-Type": "text/xml; charset=utf-8"})
    assert parsed.title == "Новости" and parsed.encoding == "cp1251"


def test_feedparser_is_handed_the_checked_utf8_text_and_told_so(monkeypatch):
    calls = spy_on_feedparser(monkeypatch)
    parse_feed(CP1251_FEED, headers={"Content-Type": "application/rss+xml; charset=windows-1251"})
    ((document, headers),) = calls
    assert document.startswith(b'<?xml version="1.0" encoding="utf-8"?><rss')
    assert "Обстрел в Донецке".encode() in document
    assert headers["content-type"] == "application/rss+xml; charset=utf-8"


def spy_on_feedparser(monkeypatch) -> list:
    """Records (document bytes, response headers) of every feedparser.parse call."""
    import claimwatch.feeds.parse as parse_module

    calls = []
    real_parse = parse_module.feedparser.parse

    def spy(stream, response_headers):
        calls.append((stream.getvalue(), dict(response_headers)))
        return real_parse(stream, response_headers=response_headers)

    monkeypatch.setattr(parse_module.feedparser, "parse", spy)
    return calls


# -- bounded parsing cost: caps apply before feedparser ---------------------------------------------


def many_items(count: int, description: str = "d") -> bytes:
    items = "".join(
        f"<item><title>t{i}</title><link>http://news.test/{i}</link><guid>g{i}</guid>"
        f"<description>{description}</description></item>"
        for i in range(count)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>{items}</channel></rss>'.encode()


def test_a_100k_item_feed_is_cut_to_the_item_cap_before_feedparser(monkeypatch):
    calls = spy_on_feedparser(monkeypatch)
    parsed = parse_feed(many_items(100_000))
    ((document, _),) = calls
    assert document.count(b"<item>") == MAX_ENTRIES and document.endswith(b"</channel></rss>")
    assert len(parsed.articles) == MAX_ENTRIES and not parsed.bozo  # still well-formed after the cut
    assert [a.title for a in parsed.articles[:2]] == ["t0", "t1"]  # the newest (first) items are kept
    assert any("feed cut after 500 items" in note for note in parsed.notes)


def test_the_tag_budget_cuts_a_feed_of_tag_heavy_items(monkeypatch):
    calls = spy_on_feedparser(monkeypatch)
    heavy = "&lt;b&gt;x&lt;/b&gt;" * 500  # escaped HTML: feedparser's sanitizer parses every tag
    parsed = parse_feed(many_items(300, heavy))
    ((document, _),) = calls
    assert document.count(b"&lt;") + document.count(b"<") <= MAX_FEED_MARKUP
    assert 0 < len(parsed.articles) < 300 and parsed.notes


def test_an_oversized_item_is_dropped_and_the_others_kept(monkeypatch):
    calls = spy_on_feedparser(monkeypatch)
    huge = b"<description>" + b"w " * 2_100_000 + b"</description>"  # the feed is over MAX_FEED_CHARS
    body = many_items(3).replace(b"<description>d</description>", huge, 1)
    parsed = parse_feed(body)
    assert len(calls[0][0]) < 10_000
    assert [a.title for a in parsed.articles] == ["t1", "t2"] and "1 item(s) over" in parsed.notes[0]


def test_an_oversized_feed_header_is_refused():
    body = b'<rss version="2.0"><channel><title>x</title><description>' + b"<b>x</b>" * 30_000 + b"</description>"
    body += many_items(600)[len(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>') :]
    assert refused_fast_and_small(body).kind == "too_large"


def test_an_element_with_thousands_of_attributes_is_refused():
    # feedparser's strict (SAX) parse is quadratic in attributes: 20,000 cost 3 s of CPU.
    attributes = " ".join(f'a{i}="v"' for i in range(20_000))
    body = f'<rss version="2.0"><channel><item><title>t</title><x {attributes}/></item></channel></rss>'.encode()
    error = refused_fast_and_small(body)
    assert error.kind == "parse" and "20000 attributes" in error.message


def test_fields_are_cut_to_their_caps_and_the_cut_is_recorded():
    long_title, long_link = "T" * 50_000, "http://news.test/" + "p" * 10_000
    body = rss([(long_title, long_link, "g" * 5_000, "s" * 100_000)])
    parsed = parse_feed(body)
    (article,) = parsed.articles
    assert len(article.title) == FIELD_CAPS["title"] and len(article.url) == FIELD_CAPS["link"]
    assert len(article.guid) == FIELD_CAPS["guid"] and len(article.summary) == FIELD_CAPS["summary"]
    assert {note.split()[0] for note in parsed.notes} == {"title", "link", "guid", "summary"}
