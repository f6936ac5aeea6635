from __future__ import annotations

import pytest

from claimwatch.feeds.opml import FeedSpec, OpmlError, export_opml, parse_opml
from claimwatch.feeds.state import FeedState

FEEDLY = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>Feedly subscriptions</title></head><body>
  <outline text="War" title="War">
    <outline type="rss" text="Kyiv Independent" title="Kyiv Independent" xmlUrl="https://kyivindependent.com/feed/" htmlUrl="https://kyivindependent.com"/>
    <outline text="Analysis" title="Analysis">
      <outline type="rss" text="ISW" title="ISW" xmlUrl="https://www.understandingwar.org/rss.xml"/>
    </outline>
  </outline>
  <outline type="rss" text="Top level" xmlurl="https://news.example/rss"/>
  <outline type="rss" text="Duplicate" xmlUrl="https://kyivindependent.com/feed/"/>
  <outline text="Empty folder"/>
</body></opml>"""

INOREADER = b"""<?xml version="1.0" encoding="UTF-8"?><opml version="1.0"><head><title>Inoreader</title></head>
<body><outline title="Ukraine" text="Ukraine"><outline text="Meduza" title="Meduza" type="rss"
 xmlUrl="https://meduza.io/rss/en/all" htmlUrl="https://meduza.io/en"/></outline></body></opml>"""


def test_feedly_export_with_nested_folders():
    feeds = parse_opml(FEEDLY)
    assert [(f.url, f.title, f.category) for f in feeds] == [
        ("https://kyivindependent.com/feed/", "Kyiv Independent", "War"),
        ("https://www.understandingwar.org/rss.xml", "ISW", "War/Analysis"),
        ("https://news.example/rss", "Top level", None),
    ]
    assert feeds[0].html_url == "https://kyivindependent.com"


def test_inoreader_export():
    (feed,) = parse_opml(INOREADER)
    assert (feed.url, feed.title, feed.category) == ("https://meduza.io/rss/en/all", "Meduza", "Ukraine")


def test_export_round_trips_specs_and_accepts_feed_states():
    feeds = parse_opml(FEEDLY)
    assert parse_opml(export_opml(feeds)) == feeds
    state = FeedState.new("https://news.example/atom", "Atom & Co")
    (back,) = parse_opml(export_opml([state]))
    assert back == FeedSpec("https://news.example/atom", "Atom & Co")


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<opml><body><outline xmlUrl="https://x.test/&b;"/></body></opml>',
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]><opml><body>'
        b'<outline text="&x;" xmlUrl="https://x.test/"/></body></opml>',
        b"<opml><body><outline xmlUrl='x'></body>",
        b"<rss><channel/></rss>",
    ],
)
def test_unsafe_or_invalid_opml_is_refused(data):
    with pytest.raises(OpmlError):
        parse_opml(data)
