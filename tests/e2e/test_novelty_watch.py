"""The watch scenario of issue 14, end to end on moto: two outlets on opposite sides, one writing
"Vugledar", the other "Ugledar", each re-reporting the other side's claims in its own words; a
watch on the town. Each distinct claim alerts once; a re-report joins the first report's cluster
(its outlet count rises, no alert) and shows in a later alert's "carried by N outlet(s)".
The articles are fictional."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from localfeeds import serving

pytestmark = pytest.mark.slow

WATCHLIST = """
watches:
  - id: vuhledar
    places: [Vuhledar]
"""

# (poll it first appears in, guid, published, title, paragraphs)
KYIV_SIDE = [  # "Front Line Kyiv": Ukrainian outlet, writes "Vugledar"
    (
        1,
        "fl-1",
        datetime(2026, 10, 1, 8, 0),
        "Command authorises withdrawal from Vugledar",
        [
            "The Khortytsia group of forces said the command had authorised the withdrawal of units from "
            "Vugledar, in the Donetsk region, to avoid encirclement.",
            "Regional governor Vadym Filashkin said two civilians had been killed by Russian shelling in Vugledar.",
        ],
    ),
    (
        2,
        "fl-2",
        datetime(2026, 10, 1, 16, 0),
        "Russia claims capture of Vugledar",
        [
            "Russia's Defence Ministry claimed that its troops had captured Vugledar, a mining town in the "
            "Donetsk region.",
        ],
    ),
    (
        3,
        "fl-3",
        datetime(2026, 10, 2, 8, 0),
        "General Staff rejects Russian claim on Vugledar",
        [
            "Ukraine's General Staff denied that Russian forces had taken full control of Vugledar, in the "
            "Donetsk region.",
        ],
    ),
]
DONETSK_SIDE = [  # "Donetsk Courier": Russian-side outlet, writes "Ugledar"
    (
        1,
        "dc-1",
        datetime(2026, 10, 1, 9, 0),
        "Defence ministry reports Ugledar taken",
        [
            "Russia's Defence Ministry said units of the Vostok group had taken full control of Ugledar, in "
            "the Donetsk region.",
            '"Units of the Vostok group of forces have completely liberated the town of Ugledar," the ministry '
            "said in a statement.",
            "The ministry said Ukrainian losses near Ugledar over the past day amounted to up to 120 servicemen.",
        ],
    ),
    (
        2,
        "dc-2",
        datetime(2026, 10, 1, 15, 0),
        "Kyiv admits retreat from Ugledar",
        [
            "Kyiv admitted that Ukrainian units had been ordered to retreat from Ugledar, in the Donetsk region.",
            "Denis Pushilin said Russian sappers had begun clearing mines in the centre of Ugledar.",
        ],
    ),
]


def rss(channel: str, link: str, items: list, poll: int) -> bytes:
    """The items published by ``poll``, full text in content:encoded."""
    entries = []
    for first_poll, guid, published, title, paragraphs in items:
        if first_poll > poll:
            continue
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        entries.append(
            f"<item><title>{html.escape(title)}</title><link>{link}{guid}</link><guid>{guid}</guid>"
            f"<pubDate>{format_datetime(published.replace(tzinfo=UTC))}</pubDate>"
            f"<description>{html.escape(title)}</description>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>{channel}</title>'
        f"<link>{link}</link><description>{channel}</description>{''.join(entries)}</channel></rss>"
    ).encode()


def alerts_of(messages: list) -> list:
    """Each alert of each SNS message (a burst for one watch is combined into one message)."""
    out = []
    for m in messages:
        alert = m["alert"]
        out += alert.get("alerts") or [alert]
    return out


@pytest.fixture
def two_sides(tmp_path):
    feeds = {
        "kyiv": (
            "Front Line Kyiv",
            lambda poll: rss("Front Line Kyiv", "https://frontline-kyiv.example/", KYIV_SIDE, poll),
        ),
        "donetsk": (
            "Donetsk Courier",
            lambda poll: rss("Donetsk Courier", "https://donetsk-courier.example/", DONETSK_SIDE, poll),
        ),
    }
    with serving(feeds, WATCHLIST, tmp_path) as (run, directory):
        yield run, directory


def test_each_distinct_claim_alerts_once_and_re_reports_raise_the_outlet_count(two_sides):
    run, directory = two_sides
    first = alerts_of(run.poll())
    # The withdrawal order, the two civilians killed, the capture (its summary and the quoted
    # statement are one claim) and the losses figure: four claims, four alerts.
    assert [a["kind"] for a in first] == ["instant"] * 4, [a["summary"] for a in first]
    first_clusters = {a["cluster"]["cluster_id"] for a in first}
    assert len(first_clusters) == 4
    capture = next(a for a in first if "full control of Ugledar" in a["summary"])
    withdrawal = next(a for a in first if "withdrawal of units from" in a["summary"])

    directory.round = 2
    second = alerts_of(run.poll())
    # Each side re-reports the other's claim in its own spelling and words: no alert. Only
    # Pushilin's new claim about the town alerts.
    assert len(second) == 1, [a["summary"] for a in second]
    assert "clearing mines" in second[0]["summary"]
    assert second[0]["cluster"]["cluster_id"] not in first_clusters

    directory.round = 3
    messages = run.poll()
    third = alerts_of(messages)
    # The denial is a development of the capture claim; its alert says that two outlets carry
    # the claim (the ministry's own outlet and the other side's re-report).
    assert len(third) == 1, [a["summary"] for a in third]
    denial = third[0]
    assert denial["kind"] == "development"
    assert denial["cluster"]["cluster_id"] == capture["cluster"]["cluster_id"]
    assert denial["cluster"]["outlets"] == 2
    assert [d["kind"] for d in denial["cluster"]["developments"]] == ["denial"]
    assert "carried by 2 outlet(s)" in messages[0]["text"]

    # The withdrawal order was re-reported by the other side: one cluster, two outlets.
    from claimwatch.novelty import lookup_cluster
    from claimwatch.store.dynamo_cluster_index import DynamoNoveltyStore

    store = DynamoNoveltyStore(run.pipe.env["NOVELTY_TABLE"], dynamodb=run.pipe.session.resource("dynamodb"))
    assert lookup_cluster(store, withdrawal["cluster"]["cluster_id"]).outlets == {"Front Line Kyiv", "Donetsk Courier"}
