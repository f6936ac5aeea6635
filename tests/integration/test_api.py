"""The claims API handler on moto, invoked with the HTTP API (payload 2.0) fixtures in events/api/.

The data is written through the stores the pipeline uses (claims + mentions, novelty clusters,
watches, the alert ledger), so the API reads exactly the items extraction and alerting write.
"""

from __future__ import annotations

import copy
import json
import threading
import urllib.request
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from claimwatch.local.api_server import ApiServer
from claimwatch.local.session import DEMO_WATCHLIST
from claimwatch.model import ActorRef, Claim, Content, Cue, PlaceRef, Provenance, Source
from claimwatch.novelty.cluster_index import ClusterRecord
from claimwatch.store.claims import ClaimStore
from claimwatch.store.dynamo_alert_ledger import DynamoAlertStore
from claimwatch.store.dynamo_cluster_index import DynamoNoveltyStore
from claimwatch.store.watches import WatchStore
from claimwatch.watch.watchlist import load_watchlist

from lambda_events import load_event

ATOM = "{http://www.w3.org/2005/Atom}"
POKROVSK = {"name": "Pokrovsk", "place_id": "geo:704422", "country": "UA", "lat": 48.28014, "lon": 37.17706}
KOSTIANTYNIVKA = {"name": "Kostyantynivka", "place_id": "geo:705104", "country": "UA", "lat": 48.527, "lon": 37.706}
CLUSTER = "c1u5000000000001"


def claim(
    claim_id,
    source,
    cue,
    content,
    *,
    place_text,
    place,
    published,
    outlet,
    cluster,
    stance="assert",
    source_actor=None,
    actor=None,
) -> Claim:
    sentence = f"{source} {cue} {content}."
    c0 = len(source) + len(cue) + 2
    p0 = c0 + content.index(place_text)
    actors = []
    if actor:
        a0 = c0 + content.index(actor[0])
        actors.append(ActorRef(text=actor[0], name=actor[0], span=(a0, a0 + len(actor[0])), actor_id=actor[1]))
    return Claim(
        id=claim_id,
        source=Source(text=source, name=source, span=(0, len(source)), actor_id=source_actor),
        cue=Cue(text=cue, span=(len(source) + 1, len(source) + 1 + len(cue)), lemma=cue),
        content=Content(text=content, span=(c0, c0 + len(content))),
        places=[PlaceRef(text=place_text, span=(p0, p0 + len(place_text)), feature="P.PPLA3", **place)],
        actors=actors,
        stance=stance,
        sentence_span=(0, len(sentence)),
        cluster_id=cluster,
        provenance=Provenance(
            article_id=f"art-{claim_id}",
            url=f"https://news.example/{claim_id}",
            outlet=outlet,
            title=f"Story {claim_id}",
            published=published,
        ),
    )


CLAIMS = [
    claim(
        "c1a1000000000001",
        "Igor Volkhov",
        "said",
        "Russian forces cleared a post in Krasnoarmeyskoye",
        place_text="Krasnoarmeyskoye",
        place=POKROVSK,
        published="2026-11-20T06:10:00Z",
        outlet="Donbas Wire",
        cluster=CLUSTER,
        actor=("Russian forces", "actor:russian-armed-forces"),
    ),
    claim(
        "c1a1000000000002",
        "Igor Volkhov",
        "said",
        "Russian forces cleared a post in the east of Pokrovsk",
        place_text="Pokrovsk",
        place=POKROVSK,
        published="2026-11-21T07:10:00Z",
        outlet="Steppe Herald",
        cluster=CLUSTER,
    ),
    claim(
        "c1a1000000000003",
        "Andriy Kovalchuk",
        "denied",
        "that any post near Pokrovsk was lost",
        place_text="Pokrovsk",
        place=POKROVSK,
        published="2026-11-21T09:20:00Z",
        outlet="Kharkiv Evening Post",
        cluster=CLUSTER,
        stance="deny",
    ),
    claim(
        "c1a1000000000004",
        "Olena Marchenko",
        "said",
        "shelling hit Konstantinovka overnight",
        place_text="Konstantinovka",
        place=KOSTIANTYNIVKA,
        published="2026-11-19T12:00:00Z",
        outlet="Donbas Wire",
        cluster="c1u5000000000002",
    ),
] + [
    claim(
        f"c1a10000000001{n:02d}",
        "Serhiy Bondar",
        "reported",
        f"convoy number {n} reached Pokrovsk",
        place_text="Pokrovsk",
        place=POKROVSK,
        published=f"2026-11-18T0{n}:00:00Z",
        outlet="Steppe Herald",
        cluster=f"c1u50000000001{n:02d}",
    )
    for n in range(1, 6)
]
POKROVSK_NEWEST_FIRST = ["c1a1000000000003", "c1a1000000000002", "c1a1000000000001"] + [
    f"c1a10000000001{n:02d}" for n in range(5, 0, -1)
]


def cluster_record(cluster_id: str, members: list[Claim], developments=()) -> ClusterRecord:
    first = members[0]
    return ClusterRecord(
        cluster_id=cluster_id,
        first_seen=first.provenance.published,
        first_claim=first.id,
        stance=first.stance,
        source_name=first.source.name,
        content=first.content.text,
        outlets={c.provenance.outlet for c in members},
        articles={c.provenance.article_id for c in members},
        claims={c.id for c in members},
        developments=list(developments),
    )


@pytest.fixture(scope="module")
def api():
    """The template's resources on moto with the claims above stored; yields invoke(event) -> response."""
    from claimwatch.local.runner import LocalPipeline

    pipe = LocalPipeline(use_moto=True)
    try:
        env = pipe.env
        ClaimStore(env["CLAIMS_TABLE"], env["MENTIONS_TABLE"]).put_claims(CLAIMS)
        novelty = DynamoNoveltyStore(env["NOVELTY_TABLE"])
        denial = {
            "kind": "denial",
            "claim_id": "c1a1000000000003",
            "source": "Andriy Kovalchuk",
            "source_key": "person:andriy-kovalchuk",
            "outlet": "Kharkiv Evening Post",
            "published": "2026-11-21T09:20:00Z",
        }
        novelty.create_cluster(cluster_record(CLUSTER, CLAIMS[:3], [denial]))
        for c in CLAIMS[3:]:
            novelty.create_cluster(cluster_record(c.cluster_id, [c]))
        WatchStore(env["WATCHES_TABLE"]).put_watches(load_watchlist(DEMO_WATCHLIST))
        ledger = DynamoAlertStore(env["ALERTS_TABLE"])
        now = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
        for key, at in (
            (f"{CLUSTER}#instant", now - timedelta(hours=3)),
            (f"{CLUSTER}#development#denial#person:andriy-kovalchuk", now),
        ):
            assert ledger.try_claim("pokrovsk-front", key, at, timedelta(seconds=90))
            ledger.mark_sent("pokrovsk-front", key, "msg-1", at)
        ledger.try_claim("pokrovsk-front", "c1u5000000000105#instant", now, timedelta(seconds=90))  # never sent
        yield lambda event: pipe.invoke("ApiFunction", event)
    finally:
        pipe.close()


def get(api, fixture: str, path: str | None = None, **params) -> tuple[int, dict, object]:
    """Invoke the handler with a fixture, optionally on another path or with other parameters."""
    event = copy.deepcopy(load_event(f"api/{fixture}.json"))
    if path is not None:
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
    if params or path is not None:
        query = {k: v for k, v in params.items() if v is not None}
        event["queryStringParameters"] = query or None
        event["rawQueryString"] = urlencode(query)
    resp = api(event)
    headers = {k.lower(): v for k, v in resp.get("headers", {}).items()}
    body = resp["body"]
    if headers.get("content-type", "").startswith(("application/json", "application/geo+json")):
        body = json.loads(body)
    return resp["statusCode"], headers, body


def ids(body) -> list:
    return [c["id"] for c in body["claims"]]


# ---------------------------------------------------------------------------- claims by place
def test_claims_about_a_place_in_any_spelling_newest_first(api):
    status, headers, body = get(api, "claims_by_place")  # place=Krasnoarmeysk, the former name
    assert status == 200 and headers["content-type"] == "application/json"
    assert ids(body) == POKROVSK_NEWEST_FIRST
    assert body["query"]["place"]["place_id"] == "geo:704422" and body["next_cursor"] is None
    for spelling in ("Pokrovsk", "geo:704422", "704422", "Krasnoarmeyskoye"):
        assert ids(get(api, "claims_by_place", "/claims", place=spelling)[2]) == POKROVSK_NEWEST_FIRST, spelling
    # the cluster's outlet count and the denial ride along for the timeline
    first = body["claims"][0]
    assert first["outlet_count"] == 3 and [d["kind"] for d in first["developments"]] == ["denial"]
    marked = first["content"][slice(*first["places"][0]["span"])]
    assert marked == "Pokrovsk"


def test_pages_follow_the_cursor_without_gaps_or_repeats(api):
    seen, cursor, pages = [], None, 0
    while True:
        status, _, body = get(api, "claims_by_place", "/claims", place="Pokrovsk", limit="3", cursor=cursor)
        assert status == 200 and len(body["claims"]) <= 3
        seen += ids(body)
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == POKROVSK_NEWEST_FIRST and pages == 3
    # a cursor is bound to its query
    _, _, first = get(api, "claims_by_place", "/claims", place="Pokrovsk", limit="3")
    status, _, body = get(api, "claims_by_place", "/claims", place="Kostiantynivka", cursor=first["next_cursor"])
    assert status == 400 and body["parameter"] == "cursor" and "different query" in body["error"]


def test_since_and_until_bound_the_publication_time(api):
    _, _, body = get(api, "claims_by_place", "/claims", place="Pokrovsk", since="2026-11-21")
    assert ids(body) == POKROVSK_NEWEST_FIRST[:2]
    _, _, body = get(api, "claims_by_place", "/claims", place="Pokrovsk", until="2026-11-20")
    assert ids(body) == POKROVSK_NEWEST_FIRST[2:]
    _, _, body = get(
        api,
        "claims_by_place",
        "/claims",
        place="Pokrovsk",
        since="2026-11-20T06:10:00Z",
        until="2026-11-21T07:10:00+00:00",
    )
    assert ids(body) == ["c1a1000000000002", "c1a1000000000001"]


def test_source_actor_and_combined_filters(api):
    _, _, body = get(api, "claims_by_place", "/claims", source="Igor Volkhov")  # the BySource index
    assert ids(body) == ["c1a1000000000002", "c1a1000000000001"]
    _, _, body = get(api, "claims_by_place", "/claims", actor="Russian troops")  # an alias
    assert ids(body) == ["c1a1000000000001"]
    _, _, body = get(api, "claims_by_place", "/claims", place="Pokrovsk", source="Andriy Kovalchuk")
    assert ids(body) == ["c1a1000000000003"]
    _, _, body = get(api, "claims_by_place", "/claims", place="Konstantinovka", source="Igor Volkhov")
    assert ids(body) == []


@pytest.mark.parametrize(
    "params, parameter, says",
    [
        ({"place": ""}, "place", "empty"),
        ({"place": "Pokrovks"}, "place", "matches no place"),
        ({"place": "x" * 201}, "place", "longer than"),
        ({"actor": "  "}, "actor", "empty"),
        ({"source": "A,B"}, "source", "one value"),
        ({"watch": "no such/id"}, "watch", "not a watch id"),
        ({"place": "Pokrovsk", "since": "yesterday"}, "since", "not a date"),
        ({"place": "Pokrovsk", "until": "2026-13-40"}, "until", "not a date"),
        ({"place": "Pokrovsk", "since": "2026-11-22", "until": "2026-11-20"}, "since", "before until"),
        ({"place": "Pokrovsk", "limit": "0"}, "limit", "1 to 100"),
        ({"place": "Pokrovsk", "limit": "101"}, "limit", "1 to 100"),
        ({"place": "Pokrovsk", "limit": "ten"}, "limit", "1 to 100"),
        ({"place": "Pokrovsk", "cursor": "not-a-cursor"}, "cursor", "not a cursor"),
        ({"place": "Pokrovsk", "format": "kml"}, "format", "json, geojson"),
        ({"place": "Pokrovsk", "sort": "oldest"}, "sort", "unknown parameter"),
        ({"limit": "5"}, "place", "at least one of place, actor, source or watch"),
    ],
)
def test_every_parameter_is_checked_with_a_clear_400(api, params, parameter, says):
    status, headers, body = get(api, "claims_by_place", "/claims", **params)
    assert status == 400 and headers["content-type"] == "application/json"
    assert body["parameter"] == parameter and says in body["error"], body
    if "matches no place" in body["error"]:
        assert body["did_you_mean"][0].startswith("Pokrovsk")


# ---------------------------------------------------------------------------- single items
def test_one_claim_and_unknown_or_malformed_ids(api):
    status, _, body = get(api, "claim")
    assert status == 200 and body["id"] == "c1a1000000000001" and body["cluster_id"] == CLUSTER
    assert body["summary"]["outlet_count"] == 3 and body["places"][0]["place_id"] == "geo:704422"
    status, _, body = get(api, "claim", "/claims/ffff000000000000")
    assert status == 404 and "no claim" in body["error"]
    status, _, body = get(api, "claim", "/claims/bad!id")
    assert status == 400 and body["parameter"] == "claim id"
    assert get(api, "claim", "/claims/c1a1000000000001", verbose="1")[0] == 400


def test_cluster_lists_members_by_outlet_and_time_with_developments(api):
    status, _, body = get(api, "cluster")
    assert status == 200 and body["cluster_id"] == CLUSTER
    assert [o["outlet"] for o in body["outlets"]] == ["Donbas Wire", "Steppe Herald", "Kharkiv Evening Post"]
    assert [m["id"] for m in body["members"]] == ["c1a1000000000001", "c1a1000000000002", "c1a1000000000003"]
    assert body["outlet_count"] == 3 and body["first_claim"]["id"] == "c1a1000000000001"
    assert [(d["kind"], d["source"]) for d in body["developments"]] == [("denial", "Andriy Kovalchuk")]
    assert get(api, "cluster", "/clusters/0000000000000000")[0] == 404


def test_watches_are_listed_from_the_index(api):
    status, _, body = get(api, "watches")
    expected = sorted(w.id for w in load_watchlist(DEMO_WATCHLIST))
    assert status == 200 and [w["id"] for w in body["watches"]] == expected
    assert body["watches"][expected.index("pokrovsk-front")]["places"] == ["Pokrovsk", "Myrnohrad"]


# ---------------------------------------------------------------------------- a watch's claims, GeoJSON, Atom
def test_watch_claims_as_geojson(api):
    status, headers, body = get(api, "watch_claims")  # pokrovsk-front, format=geojson
    assert status == 200 and headers["content-type"] == "application/geo+json"
    assert body["type"] == "FeatureCollection" and isinstance(body["features"], list)
    assert [f["properties"]["claim_id"] for f in body["features"]] == POKROVSK_NEWEST_FIRST
    for feature in body["features"]:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert (round(lon, 3), round(lat, 3)) == (37.177, 48.28)  # [lon, lat] order (RFC 7946)
        props = feature["properties"]
        assert {"source", "cue", "content", "date", "cluster_id", "link"} <= set(props)
        assert props["link"].startswith("https://news.example/")
    status, _, body = get(api, "watch_claims", "/watches/kostiantynivka/claims")
    assert status == 200 and ids(body) == ["c1a1000000000004"]
    status, _, body = get(api, "watch_claims", "/watches/nobody/claims")
    assert status == 404 and body["parameter"] == "watch"
    assert get(api, "watch_claims", "/watches/pokrovsk-front/claims", watch="afu")[2]["parameter"] == "watch"


def _rfc3339(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.tzinfo is not None, text
    return moment


def test_watch_alerts_are_a_valid_atom_feed(api):
    status, headers, body = get(api, "watch_alerts")
    assert status == 200 and headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(body.encode("utf-8"))
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{required}") or "").strip(), required
    assert root.find(f"{ATOM}author/{ATOM}name").text == "claimwatch"
    _rfc3339(root.findtext(f"{ATOM}updated"))
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2  # the sent alerts; the one never sent is not in the feed
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 2
    updated = [_rfc3339(e.findtext(f"{ATOM}updated")) for e in entries]
    assert updated == sorted(updated, reverse=True)
    for entry in entries:
        for required in ("id", "title", "updated", "content"):
            assert (entry.findtext(f"{ATOM}{required}") or "").strip(), required
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link.get("href") == f"https://abc123def4.execute-api.us-east-1.amazonaws.com/#/clusters/{CLUSTER}"
        assert entry.findtext(f"{ATOM}title").startswith("Igor Volkhov — said — Russian forces")
    assert "development (denial)" in entries[0].findtext(f"{ATOM}content")
    assert get(api, "watch_alerts", "/watches/nobody/alerts.atom")[0] == 404
    assert get(api, "watch_alerts", "/watches/pokrovsk-front/alerts.atom", limit="0")[0] == 400


# ---------------------------------------------------------------------------- the page
def test_the_page_and_its_files(api):
    status, headers, body = get(api, "page")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "static/app.js" in body and "default-src 'self'" in headers["content-security-policy"]
    status, headers, body = get(api, "page", "/static/countries-110m.json")
    assert status == 200 and body["type"] == "Topology" and len(body["objects"]["countries"]["geometries"]) > 150
    assert get(api, "page", "/static/app.js")[1]["content-type"].startswith("text/javascript")
    for path in ("/static/..%2Ftemplate.yaml", "/static/gazetteer.sqlite", "/nowhere"):
        status, _, body = get(api, "page", path)
        assert status == 404 and "error" in body, path


def test_the_local_server_turns_requests_into_http_api_events(api):
    server = ApiServer(api, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"{server.url}/claims?place=Krasnoarmeysk&limit=2", timeout=30) as resp:
            body = json.loads(resp.read())
        assert ids(body) == POKROVSK_NEWEST_FIRST[:2] and body["next_cursor"]
        with urllib.request.urlopen(f"{server.url}/watches/pokrovsk-front/alerts.atom", timeout=30) as resp:
            feed = ET.fromstring(resp.read())
        href = feed.find(f"{ATOM}entry/{ATOM}link[@rel='alternate']").get("href")
        assert href == f"{server.url}/#/clusters/{CLUSTER}"
    finally:
        server.shutdown()
        server.server_close()
