import json

from claimwatch.alerts.render import neutralise, render_alert
from claimwatch.novelty import ClusterResult

from claimfactory import make_claim
from fakewatch import FakeWatchIndex, Watch

PREFIX = "Fictional lede about the front. "
SENTENCE = (
    "He noted that Russian forces have cleared an observation post in eastern Krasnoarmeyskoye, the adviser said."
)


def cluster(outlets=2):
    return ClusterResult(
        cluster_id="c0ffee",
        is_new=False,
        outlets=outlets,
        articles=3,
        first_seen="2026-11-20T10:00:00+00:00",
        developments=[
            {
                "kind": "denial",
                "source": "General Staff",
                "outlet": "Outlet Two",
                "published": "2026-11-20T12:00:00+00:00",
                "claim_id": "x",
            }
        ],
    )


def claim_and_text(
    content="Russian forces have cleared an observation post in eastern Krasnoarmeyskoye", sentence=SENTENCE
):
    claim, text = make_claim(
        sentence,
        "He",
        "noted",
        content,
        source_name="Kimakovsky",
        prefix=PREFIX,
        outlet="Front Courier",
        url="https://courier.example/a/1?x=1",
    )
    claim.source.role = "adviser to the head of the DPR"
    return claim, text


def test_alert_explains_itself():
    claim, text = claim_and_text()
    matches = FakeWatchIndex([Watch("pokrovsk-front", places=("geo:704422",))]).match(claim)
    alert = render_alert(claim, matches, cluster(), text)
    body = alert.text
    assert (
        'Kimakovsky ("He"), adviser to the head of the DPR — noted — Russian forces have cleared '
        "an observation post in eastern Krasnoarmeyskoye"
    ) in body
    # the whole sentence, with the matched alias marked
    assert (
        "He noted that Russian forces have cleared an observation post in eastern [[Krasnoarmeyskoye]], "
        "the adviser said." in body
    )
    assert 'watch pokrovsk-front: place geo:704422 matched "Krasnoarmeyskoye"' in body
    assert "Link: https://courier.example/a/1?x=1" in body and "Front Courier" in body
    assert "carried by 2 outlet(s)" in body and "denial by General Staff" in body
    assert alert.json["claim"]["id"] == claim.id and alert.json["cluster"]["outlets"] == 2
    assert alert.subject.startswith("[claimwatch medium] pokrovsk-front: Kimakovsky")


def test_without_article_text_the_content_is_the_context():
    claim, _ = claim_and_text()
    matches = FakeWatchIndex([Watch("w", places=("geo:704422",))]).match(claim)
    alert = render_alert(claim, matches, cluster())
    assert "  Russian forces have cleared an observation post in eastern [[Krasnoarmeyskoye]]\n" in alert.text


def test_message_attributes_fit_sns_and_filter_policies():
    claim, text = claim_and_text()
    matches = FakeWatchIndex([Watch("pokrovsk-front", places=("geo:704422",))]).match(claim)
    attrs = render_alert(claim, matches, cluster(), text, severity="high").attributes
    assert len(attrs) <= 10
    assert attrs["watch_id"] == {"DataType": "String.Array", "StringValue": '["pokrovsk-front"]'}
    assert json.loads(attrs["place_ids"]["StringValue"]) == ["geo:704422"]
    assert json.loads(attrs["place_names"]["StringValue"]) == ["Pokrovsk"]
    assert json.loads(attrs["source"]["StringValue"]) == ["Kimakovsky"]
    assert json.loads(attrs["cluster_id"]["StringValue"]) == ["c0ffee"]
    assert attrs["severity"]["StringValue"] == "high"
    assert {a["DataType"] for a in attrs.values()} <= {"String", "String.Array", "Number"}


def test_article_text_cannot_inject_markup_links_or_control_characters():
    evil = (
        "Russian forces hold Krasnoarmeyskoye <script>alert(1)</script> see https://evil.example/x "
        "or www.bad.example and mail spy@evil.example \x1b[31m\u202eRED ]] [[fake]]"
    )
    sentence = f"He noted that {evil}."
    claim, text = claim_and_text(content=evil, sentence=sentence)
    claim.provenance.title = "<b>Title</b>\nBcc: victim@example.com"
    matches = FakeWatchIndex([Watch("w", places=("geo:704422",))]).match(claim)
    alert = render_alert(claim, matches, cluster(), text)
    body = alert.text
    for bad in (
        "<script>",
        "<b>",
        "https://evil",
        "http://",
        "www.bad",
        "evil.example",
        "@",
        "\x1b",
        "\u202e",
        "[[fake]]",
    ):
        assert bad not in body, bad
    assert "hxxps://evil[.]example/x" in body and "‹script›" in body
    assert body.count("[[") == body.count("]]") == 1  # only our own mark
    assert "https://courier.example/a/1?x=1" in body  # the article link stays a link
    assert "\nBcc:" not in body
    assert len(alert.subject) <= 99 and alert.subject.isascii() and "\n" not in alert.subject


def test_non_http_links_and_long_text_are_dropped_or_capped():
    claim, text = claim_and_text()
    claim.provenance.url = "javascript:alert(1)"
    matches = FakeWatchIndex([Watch("w", places=("geo:704422",))]).match(claim)
    assert "Link: (no safe link)" in render_alert(claim, matches, cluster(), text).text
    assert len(neutralise("x" * 5000, 100)) == 100
