from __future__ import annotations

import pytest

from claimwatch.feeds.identity import article_id_for, canonical_url, content_hash, feed_id_for, url_key


@pytest.mark.parametrize(
    "raw,expected",
    [
        (
            "HTTPS://News.Example.COM:443/World/Story/?utm_source=tw&utm_medium=social&id=7#comments",
            "https://news.example.com/World/Story?id=7",
        ),
        ("http://news.example.com:80/a//b/", "http://news.example.com/a/b"),
        ("https://news.example.com/?b=2&a=1&fbclid=XYZ&gclid=abc", "https://news.example.com/?a=1&b=2"),
        ("https://news.example.com:8443/x", "https://news.example.com:8443/x"),
        ("https://münchen.example/nachrichten", "https://xn--mnchen-3ya.example/nachrichten"),
        ("  https://news.example.com/path?mc_cid=1&igshid=2&_ga=3  ", "https://news.example.com/path"),
    ],
)
def test_canonical_url_drops_tracking_and_normalises(raw, expected):
    assert canonical_url(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "javascript:alert(1)", "file:///etc/passwd", "not a url"])
def test_canonical_url_of_non_web_links_is_none(raw):
    assert canonical_url(raw) is None


def test_article_id_is_the_same_across_scheme_www_tracking_and_guid_changes():
    a = article_id_for("http://www.news.example/story/1?utm_campaign=x", guid="g1", title="A")
    b = article_id_for("https://news.example/story/1/#top", guid="g2", title="A (updated)")
    assert a == b
    assert article_id_for("https://news.example/story/2") != a


def test_entries_without_links_get_an_identity_from_guid_and_title():
    one = article_id_for(None, guid="urn:1", title="Talks", feed_id="f")
    assert one == article_id_for("", guid="urn:1", title="  talks ", feed_id="f")  # normalised title
    assert one != article_id_for(None, guid="urn:1", title="Other", feed_id="f")
    assert one != article_id_for(None, guid="urn:1", title="Talks", feed_id="another-feed")


def test_content_hash_ignores_markup_case_and_whitespace_but_not_words():
    text = "<p>Officials said the bridge was hit.</p>" * 10
    same = "officials   said the bridge was hit. " * 10
    assert content_hash(text, "T") == content_hash(same, "Other title")  # long text: title ignored
    assert content_hash(text.replace("bridge", "dam"), "T") != content_hash(text, "T")
    assert content_hash("Read more…", "Story A") != content_hash("Read more…", "Story B")  # short: title counts
    assert content_hash("", None) is None


def test_feed_id_is_stable_and_ignores_tracking_noise():
    assert feed_id_for("https://news.example/rss") == feed_id_for(" https://news.example/rss?utm_source=x ")
    assert feed_id_for("https://news.example/rss") != feed_id_for("https://news.example/atom")
    assert url_key("https://www.news.example/a") == url_key("http://news.example/a")
