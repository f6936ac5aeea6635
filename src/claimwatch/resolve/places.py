"""Place mentions in text and their resolution to gazetteer places.

Two stages shared by `find_places` (spaCy docs) and `resolve_toponyms` (bare toponym lists,
used by the LGL benchmark and watch terms):

1. Mentions: runs of capitalised tokens looked up in the gazetteer, whatever spaCy labels them
   (it labels "Donbass" and "Rostov" PERSON); spaCy's GPE/LOC labels only relax the guards
   against common words and small namesakes. Compound and hyphenated forms
   split into their parts ("Krasnoarmeyskoye-Dymitrovskoye direction" -> two places, each with
   its own span), adjectival forms and Cyrillic case endings tried as extra keys.
2. Resolution: every candidate is scored by population, name kind (official > historical >
   alternate > abbreviation), the article's other places (shared country and admin1, distance)
   and explicit qualifiers ("Donetsk in Russia's Rostov region", "Alexandria, La.").
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from claimwatch import model
from claimwatch.extract.docindex import doc_text
from claimwatch.resolve.gazetteer import (
    AREA_FEATURES,
    KIND_ABBREVIATION,
    KIND_ALTERNATE,
    KIND_DEMONYM,
    KIND_FORMER,
    KIND_NAME,
    Candidate,
    Place,
    get_gazetteer,
)
from claimwatch.resolve.normalize import (
    abbreviation_key,
    adjectival_stems,
    cyrillic_case_variants,
    demonym_key,
    has_cyrillic,
    name_key,
    romanise,
)

# Lower-case words that turn a preceding name into a larger named place.
_REGION_WORDS = (
    "direction",
    "region",
    "oblast",
    "province",
    "krai",
    "republic",
    "county",
    "parish",
    "state",
    "axis",
    "district",
    "raion",
    "область",
    "обл",
    "край",
    "район",
    "направление",
    "напрямок",
    "республика",
    "области",
    "области",
    "краю",
    "районе",
    "направлении",
    "напрямку",
    "республике",
)
_DIRECTION_WORDS = ("direction", "axis", "front", "sector", "направление", "напрямок", "направлении", "напрямку")
# Inner lower-case links allowed inside a hyphenated or multiword place name.
_NAME_LINKS = {"on", "na", "upon", "de", "la", "le", "del", "du", "sur", "am", "an", "der", "of", "-", "–", "'s", "’s"}
_QUALIFIER_GAP = re.compile(r"^\s*(,|\(|in|in the|of|of the|near|outside|,\s*in)\s*$", re.IGNORECASE)
_POSSESSIVE_GAP = re.compile(r"^\s*(['’]s)?\s*$")
_STRONG_LABELS = {"GPE", "LOC"}
_WEAK_MIN_POPULATION = 20000
# A capitalised word before these names a party or an electorate, not a town ("the Liberal
# party", "the Fenner electorate"); after "seat of" / "electorate of" likewise.
_PARTY_WORDS = {"party", "parties", "partys", "coalition", "caucus"}
_ELECTORATE_WORDS = {"electorate", "electorates", "seat", "riding", "constituency", "ward", "division"}
_REPORTING_LEMMAS = {
    "say",
    "tell",
    "add",
    "announce",
    "claim",
    "write",
    "state",
    "note",
    "insist",
    "deny",
    "warn",
    "argue",
    "explain",
}
# Self-proclaimed entities that are also actors ("the DPR said"): a place only after a
# preposition of place ("in the DPR") or restating a place just named ("... Republic (DPR)").
_ACTOR_PLACES = {"dpr", "lpr"}
_LOCATIVE = {
    "in",
    "into",
    "from",
    "across",
    "inside",
    "throughout",
    "within",
    "near",
    "to",
    "through",
    "over",
    "outside",
    "of",
}


@dataclass
class Mention:
    text: str
    start: int
    end: int
    strong: bool = True  # a place label (NER GPE/LOC, a gold toponym, a watch term)
    keys: list = field(default_factory=list)  # [(key, rule, penalty)]
    candidates: list = field(default_factory=list)  # [(Candidate, rule, penalty)]
    qualifiers: list = field(default_factory=list)  # [Mention] that qualify this one
    is_qualifier: bool = False
    choice: tuple | None = None  # (Place, rule) after resolution
    ranked: list = field(default_factory=list)  # leading readings, best first
    component_of: Mention | None = None
    direction: bool = False  # "<name> direction": its parts are places too
    # Demonyms ("Texan", "Russian") are toponyms in LGL's annotation, never place mentions in
    # find_places ("Russian forces" is an actor).
    allow_demonyms: bool = False
    provisional: bool = False  # a small town spaCy did not label: kept only with support
    demonym: bool = False  # written as a demonym ("Syrian"): never a look-alike town
    dateline: bool = False  # "WASHINGTON, April 2 (Wire) -": resolved without the story's context


def mention_keys(text: str, direction: bool = False, adjectival: bool = True) -> list[tuple[str, str, float]]:
    """Lookup keys for a mention: its own key, then adjectival stems, then case variants."""
    key = name_key(text)
    out = [(key, "", 0.0)]
    words = key.split(" ")
    stems = adjectival_stems(words[-1]) if adjectival else []
    for n, stem in enumerate(stems):
        # In "X-skoye direction" the adjective stands for the town: no penalty there.
        penalty = 0.0 if direction else 0.4 + 0.2 * n
        out.append((" ".join(words[:-1] + [stem]), "adjectival form", penalty))
    if has_cyrillic(text):
        # Every word may be inflected ("Донецкой области" -> "Донецкая область").
        parts = text.split()[:3]
        forms = [[w] + cyrillic_case_variants(w) for w in parts]
        for combo in itertools.islice(itertools.product(*forms), 1, 40):
            out.append((name_key(" ".join(combo)), "Cyrillic case form", 0.3))
    stripped = text.strip()
    if "." in stripped or (stripped.isupper() and len(stripped) <= 5):
        out.append((abbreviation_key(stripped), "", 0.0))
    seen, unique = set(), []
    for k in out:
        if k[0] and k[0] not in seen:
            seen.add(k[0])
            unique.append(k)
    return unique


def _lookup(mention: Mention, gazetteer) -> None:
    best: dict[int, tuple] = {}
    # A demonym as written ("Syrian") stands for its country or state, never a look-alike town;
    # a word that only folds to a demonym's key ("Sirjan") is not one.
    mention.demonym = bool(gazetteer.lookup(demonym_key(mention.text)))
    for key, rule, penalty in mention.keys:
        for cand in gazetteer.lookup(key):
            if cand.kind == KIND_DEMONYM and not (mention.allow_demonyms and mention.demonym):
                continue
            if cand.kind != KIND_DEMONYM and mention.demonym and mention.allow_demonyms:
                continue
            old = best.get(cand.place.pid)
            if old is None or penalty < old[2]:
                best[cand.place.pid] = (cand, rule, penalty)
    mention.candidates = list(best.values())


# ---------------------------------------------------------------------------------------------
# Scoring


def _distance_km(a: Place, b: Place) -> float:
    if a.lat is None or b.lat is None or a.lon is None or b.lon is None:
        return math.inf
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


# A front-line town or curated village outweighs a namesake of a few thousand people elsewhere
# ("Krynky" on the Dnipro, 991 people before the war, over Krynki, Poland, 2,700).
_FRONT_LINE = 1.0


def _prior(cand: Candidate, penalty: float, abbreviation_ok: bool, gazetteer=None) -> float:
    place = cand.place
    population = place.population
    if place.feature in ("A.ADM1", "region", "direction") or place.feature in AREA_FEATURES:
        population = max(population, 2_000_000)
    score = math.log10(population + 10)
    if place.feature == "A.PCLI" or place.feature == "P.PPLC":
        score += 1.0
    # An alternate name is weaker evidence than the official one ("Berea" is a historical
    # name of Aleppo, but the name of Berea, Kentucky).
    score += {KIND_NAME: 0.6, KIND_FORMER: 0.5, KIND_ALTERNATE: -0.4}.get(cand.kind, 0.0)
    if cand.kind == KIND_ABBREVIATION:
        # "La." after "Alexandria, " is Louisiana, not an alternate name of Los Angeles.
        score += 4.0 if abbreviation_ok else -4.0
    if (
        gazetteer is not None
        and place.feature
        and place.feature.startswith("P")
        and gazetteer.is_strong_place(place.pid)
    ):
        score += _FRONT_LINE
    return score - penalty


def _inside(place: Place, area: Place, gazetteer) -> bool:
    if area.feature == "A.PCLI":
        return place.country == area.country
    for country, admin1 in gazetteer.covers(area.pid):
        if place.country == country and (not admin1 or place.admin1 == admin1):
            return True
    return False


def _compatibility(place: Place, other: Place, gazetteer) -> float:
    """How well two places fit in one article: same country, same first-order region,
    containment, distance."""
    score = 0.0
    if other.country and other.country == place.country:
        score += 2.0
        if other.admin1 and other.admin1 == place.admin1:
            score += 2.0
    if place.is_area:
        # "New York" among places in New York state is the state, not the city.
        if place.feature != "A.PCLI" and not other.is_area and _inside(other, place, gazetteer):
            score += 3.0
        return score
    if not other.is_area:
        d = _distance_km(place, other)
        score += 2.0 if d < 50 else 1.0 if d < 200 else 0.0
    elif other.feature != "A.PCLI" and _inside(place, other, gazetteer):
        score += 1.0
    return score


# A first-order or curated region named anywhere in the article that contains a reading: not
# averaged away by the article's other names ("Donetsk" in a story about Russia's Rostov
# region that also names Kyiv and Ukraine is the Russian town).
_REGION_IN_ARTICLE = 1.5


def _context_score(place: Place, others: Sequence[Sequence[Place]], gazetteer) -> float:
    """Mean over the article's other names of the best fit among each one's leading readings
    ("Henry County" is a county in a dozen states: whichever fits "Paris" counts), plus a bonus
    when a region the article names (its leading reading) contains the place."""
    if not others:
        return 0.0
    total = 0.0
    in_region = False
    for alternatives in others:
        total += max((_compatibility(place, o, gazetteer) for o in alternatives), default=0.0)
        top = alternatives[0] if alternatives else None
        if (
            not in_region
            and top is not None
            and not place.is_area
            and top.feature in ("A.ADM1", "region")
            and _inside(place, top, gazetteer)
        ):
            in_region = True
    return total / len(others) + (_REGION_IN_ARTICLE if in_region else 0.0)


def _qualifier_score(place: Place, mention: Mention, gazetteer) -> float:
    score = 0.0
    for q in mention.qualifiers:
        if not q.choice:
            continue
        area = q.choice[0]
        score += 6.0 if _inside(place, area, gazetteer) else -4.0
    return score


# Readings of each other name that count as context: those scoring within _NEAR_TIE of its
# best (a dozen equally likely "Henry County"s all count), at most _ALTERNATIVES.
_ALTERNATIVES = 20
_NEAR_TIE = 1.0


def _sense_key(m: Mention) -> str:
    """One sense per name in an article; a demonym is another name than the town its key
    folds to ("Syrian" and "Sirjan" share the key "sirian")."""
    key = name_key(m.text)
    if m.candidates and all(c.kind == KIND_DEMONYM for c, _, _ in m.candidates):
        return key + "#demonym"
    return key


def _pick(m: Mention, others: list[list[Place]], gazetteer) -> None:
    """Rank the mention's candidates (prior, the other names' readings as context, its
    qualifiers) and choose the best; ``m.ranked`` keeps the near ties as context for the rest."""
    if m.dateline:
        others = []  # a dateline names the city the story was filed from, a big one
    abbreviation_ok = "." in m.text or len(m.candidates) == 1
    scored = []
    for cand, rule, penalty in m.candidates:
        s = _prior(cand, penalty, abbreviation_ok, gazetteer)
        s += _context_score(cand.place, others, gazetteer)
        s += _qualifier_score(cand.place, m, gazetteer)
        scored.append((s, cand, rule))
    scored.sort(key=lambda x: -x[0])
    m.ranked = [c.place for sc, c, _ in scored[:_ALTERNATIVES] if sc >= scored[0][0] - _NEAR_TIE]
    if scored:
        _, cand, rule = scored[0]
        m.choice = (cand.place, _describe(cand, rule, gazetteer, m))
    else:
        m.choice = None


def _one_sense_per_discourse(mentions: list[Mention]) -> None:
    """The same name resolves to the same place in one article (its first choice), except where
    a qualifier says otherwise."""
    first: dict[str, tuple] = {}
    for m in mentions:
        if m.choice:
            first.setdefault(_sense_key(m), (m.choice, m.ranked))
    for m in mentions:
        if m.choice and not m.qualifiers:
            m.choice, m.ranked = first[_sense_key(m)]


def _resolve(mentions: list[Mention], gazetteer) -> None:
    """Choose a candidate per mention: prior first, then twice with the others as context."""
    # Qualifiers first (they constrain the rest), then everything by prior, then with context.
    for m in mentions:
        if m.is_qualifier:
            _pick(m, [], gazetteer)
    for m in mentions:
        if not m.is_qualifier:
            _pick(m, [], gazetteer)
    for _ in range(2):
        by_key: dict[str, list[Place]] = {}
        for m in mentions:
            if m.ranked:
                by_key.setdefault(_sense_key(m), m.ranked)
        for m in mentions:
            own = _sense_key(m)
            _pick(m, [alts for k, alts in by_key.items() if k != own], gazetteer)
        _one_sense_per_discourse(mentions)


def _describe(cand: Candidate, rule: str, gazetteer, mention: Mention) -> str:
    place = cand.place
    parts = []
    if cand.kind == KIND_FORMER:
        keys = {k for k, _, _ in mention.keys}
        former = [n for n in gazetteer.former_names(place.pid) if name_key(n) in keys]
        parts.append(f"historical name {former[0] if former else mention.text}")
    elif cand.kind == KIND_NAME:
        parts.append("name")
    elif cand.kind == KIND_ABBREVIATION:
        parts.append("abbreviation")
    elif cand.kind == KIND_DEMONYM:
        parts.append("demonym")
    else:
        parts.append("alternate name")
    if rule:
        parts.append(rule)
    if mention.component_of is not None:
        parts.append(f"part of '{mention.component_of.text}'")
    if mention.qualifiers:
        parts.append("qualified by " + ", ".join(q.text for q in mention.qualifiers))
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# Qualifiers ("Donetsk in Russia's Rostov region", "Springfield, Ill.")


def _link_qualifiers(mentions: list[Mention], text: str) -> None:
    mentions.sort(key=lambda m: (m.start, -m.end))
    for i, m in enumerate(mentions):
        j = i + 1
        gap_re = _QUALIFIER_GAP
        while j < len(mentions):
            q = mentions[j]
            if q.start < m.end or not gap_re.match(text[mentions[j - 1].end : q.start]):
                break
            if not any(c.place.is_area for c, _, _ in q.candidates):
                break
            if all(c.place.feature == "A.PCLI" or c.place.feature in AREA_FEATURES for c, _, _ in m.candidates):
                break  # "Europe, Africa", "Poland, Ukraine": a list, not a qualifier
            if {c.place.pid for c, _, _ in q.candidates} & {c.place.pid for c, _, _ in m.candidates}:
                break  # "Donetsk People's Republic (DPR)" restates, does not qualify
            after = text[q.end : q.end + 3]
            nxt = mentions[j + 1] if j + 1 < len(mentions) else None
            if after[:2] in ("'s", "’s") and not (nxt and _POSSESSIVE_GAP.match(text[q.end : nxt.start])):
                break  # "Pokrovsk, Russia's defence ministry said": not a qualifier
            m.qualifiers.append(q)
            q.is_qualifier = True
            # "Russia's Rostov region": a possessive continues the chain.
            gap_re = _POSSESSIVE_GAP
            j += 1


# ---------------------------------------------------------------------------------------------
# Public entry points without spaCy


def resolve_toponyms(
    names: Sequence[str], text: str | None = None, spans: Sequence[tuple] | None = None, gazetteer=None
) -> list[tuple | None]:
    """Resolve a list of toponyms from one article together: [(Place, matched) | None].

    `text` and `spans` (character offsets of each toponym in `text`) enable qualifier
    detection ("Alexandria, La."); without them only the co-occurring names are context.
    """
    gazetteer = gazetteer or get_gazetteer()
    mentions = []
    for n, name in enumerate(names):
        start, end = spans[n] if spans else (n * 10**6, n * 10**6 + len(name))
        m = Mention(name, start, end, strong=True, allow_demonyms=True)
        m.keys = mention_keys(name)
        _lookup(m, gazetteer)
        mentions.append(m)
    order = list(mentions)
    if text is not None and spans is not None:
        _link_qualifiers(mentions, text)
    _resolve(mentions, gazetteer)
    return [m.choice for m in order]


def resolve_toponym(name: str, context_places: Iterable = (), gazetteer=None) -> Place | None:
    """The place a toponym denotes, given the article's other toponyms (names or Places)."""
    gazetteer = gazetteer or get_gazetteer()
    ctx_names = [c for c in context_places if isinstance(c, str)]
    ctx_places = [c for c in context_places if isinstance(c, Place)]
    m = Mention(name, 0, len(name), allow_demonyms=True)
    m.keys = mention_keys(name)
    _lookup(m, gazetteer)
    if not m.candidates:
        return None
    if ctx_names:
        ctx = [c for c in resolve_toponyms(ctx_names, gazetteer=gazetteer) if c]
        ctx_places += [c[0] for c in ctx]
    mentions = [m]
    _resolve(mentions, gazetteer)
    if ctx_places:
        # One more pick with the given context.
        best, best_score = None, -math.inf
        for cand, _rule, penalty in m.candidates:
            s = _prior(cand, penalty, True, gazetteer) + _context_score(
                cand.place, [[p] for p in ctx_places], gazetteer
            )
            if s > best_score:
                best, best_score = cand.place, s
        return best
    return m.choice[0] if m.choice else None


# ---------------------------------------------------------------------------------------------
# Mentions in a spaCy doc


def _is_name_token(tok) -> bool:
    t = tok.text
    if not t or not t[0].isalpha():
        return False
    return t[0].isupper()


def _whole_person_is_place(doc, s: int, e: int, gazetteer) -> bool:
    """spaCy labels "Sri Lanka", "Sioux Falls" and "Chasiv Yar" PERSON: a whole PERSON entity
    that is a strong name (a country, a first-order region, a city over 100,000, a curated or
    front-line place) is the place."""
    ent = doc[s].ent_type_ == "PERSON" and doc[s].ent_iob_ == "B"
    if not ent or (e < len(doc) and doc[e].ent_iob_ == "I"):
        return False
    return gazetteer.is_strong_name(name_key(doc[s:e].text))


def _is_dateline(doc, s: int, e: int, text: str) -> bool:
    """An all-caps name opening a paragraph, then a comma or a parenthesis ("KYIV, Nov 21")."""
    start = doc[s].idx
    return (
        doc[s:e].text.isupper()
        and (start == 0 or text[start - 1] == "\n")
        and e < len(doc)
        and doc[e].text in (",", "(")
    )


def _known_people(doc, gazetteer) -> set[str]:
    """Name keys of the people the article names: each multi-word PERSON entity and its words
    ("Mary Barra" -> "mari bara", "mari", "bara"), unless the entity is itself a place."""
    keys: set[str] = set()
    for e in doc.ents:
        if e.label_ != "PERSON" or len(e) < 2 or has_cyrillic(e.text):
            continue
        if gazetteer.is_strong_name(name_key(e.text)):
            continue
        keys.add(name_key(e.text))
        # not a word that is itself a country, region or big city ("Rethinking Egypt" tagged
        # PERSON must not make every later "Egypt" a person)
        keys.update(
            k
            for k in (name_key(t.text) for t in e if t.text[:1].isupper() and len(t.text) > 2)
            if not gazetteer.is_strong_name(k)
        )
    return keys


def _not_a_place_here(doc, s: int, e: int, key: str, people: set[str], strong: bool, is_strong: bool) -> bool:
    """Context that makes a capitalised name a person, a party or an electorate. `strong`:
    spaCy labels the span a place; `is_strong`: the gazetteer's strong names ("Karnataka said"
    after "Tamil Nadu and" is the state's farmers, not a person)."""
    before = doc[s - 1].lower_ if s > 0 else ""
    before2 = doc[s - 2].lower_ if s > 1 else ""
    after = doc[e].lower_ if e < len(doc) else ""
    if after in _PARTY_WORDS or after in _ELECTORATE_WORDS and not strong:
        return True  # "the Liberal and Green parties", "the Bean electorate"
    if before == "of" and before2 in _ELECTORATE_WORDS:
        return True  # "the seat of Fenner"
    if strong:
        return False
    labels = {t.ent_type_ for t in doc[s:e]}
    if "NORP" in labels and not _region_word_after(doc, e):
        # "Liberal", "Green", "Syrian" as spaCy reads them; but in "the Belgorod region" spaCy
        # reads "Belgorod" as NORP, and the region word makes it a place
        return True
    if key in people:
        return True  # "Barra said", "Zelensky's office" after "Volodymyr Zelensky"
    if "PERSON" in labels and not is_strong:
        # "Barra said", "Zelensky's office": a PERSON-labelled name that speaks or owns
        nxt = doc[e + 1] if after in ("'s", "’s") and e + 1 < len(doc) else (doc[e] if e < len(doc) else None)
        if after in ("'s", "’s") or (nxt is not None and nxt.lemma_ in _REPORTING_LEMMAS):
            return True
    return False


def _actor_place_is_a_place(doc, s: int, mentions: list) -> bool:
    """ "in the DPR" is a territory; "the DPR said", "DPR forces" an actor."""
    i = s - 1
    if i >= 0 and doc[i].lower_ == "the":
        i -= 1
    if i >= 0 and doc[i].lower_ in _LOCATIVE:
        return True
    # "... Donetsk People's Republic (DPR)": restates the place just named
    return bool(
        i >= 0
        and doc[i].text == "("
        and mentions
        and mentions[-1].end >= doc[i].idx - 1
        and any(c.place.slug in _ACTOR_PLACES for c, _, _ in mentions[-1].candidates)
    )


def _candidate_runs(doc) -> list[tuple[int, int]]:
    """Token ranges of capitalised runs ("Ivano-Frankivsk", "Krasnoarmeyskoye-Dymitrovskoye",
    "Rostov-on-Don", "New York"), possibly joined by hyphens or lower-case name links."""
    runs, i, n = [], 0, len(doc)
    while i < n:
        if not _is_name_token(doc[i]):
            i += 1
            continue
        j = i + 1
        while j < n:
            t = doc[j]
            if _is_name_token(t) and not t.is_sent_start:
                j += 1
            elif (
                t.text in _NAME_LINKS
                and j + 1 < n
                and _is_name_token(doc[j + 1])
                and (t.text in "-–" or doc[j - 1].whitespace_ == "" or t.whitespace_ == "")
            ):
                j += 2
            else:
                break
        runs.append((i, j))
        i = j
    return runs


def _region_word_after(doc, end: int) -> str | None:
    if end < len(doc) and doc[end].lower_ in _REGION_WORDS:
        return doc[end].text
    return None


@dataclass
class _DocContext:
    """What find_place_mentions consults at every candidate span of one Doc."""

    doc: Any
    text: str
    gazetteer: Any
    strong: set[int]  # in a GPE/LOC entity
    person: set[int]  # in a multi-token PERSON
    of_org: set[int]  # after "of" inside an ORG
    org_inner: set[int]  # inside an ORG after its first word ("Pacific Fleet": not Fleet, Hampshire)
    people: set[str]  # name keys of the people the article names (_known_people)


def _doc_context(doc, gazetteer) -> _DocContext:
    """Multi-token people ("Vladimir Putin") are never places, even where a token is a city (the
    English model's labels on Cyrillic words are noise: not used there). A place after "of"
    inside an organisation's name ("Armed Forces of Ukraine", "Bank of America") names the
    organisation, not a location ("Dublin City Council" does locate)."""
    strong = {t.i for e in doc.ents if e.label_ in _STRONG_LABELS for t in e}
    person = {t.i for e in doc.ents if e.label_ == "PERSON" and len(e) > 1 and not has_cyrillic(e.text) for t in e}
    of_org: set[int] = set()
    org_inner: set[int] = set()
    for e in doc.ents:
        if e.label_ == "ORG":
            first = e.start + (1 if e[0].lower_ == "the" else 0)
            org_inner.update(range(first + 1, e.end))
            for t in e[1:]:
                if t.nbor(-1).lower_ == "of":
                    of_org.update(range(t.i, e.end))
    return _DocContext(doc, doc_text(doc), gazetteer, strong, person, of_org, org_inner, _known_people(doc, gazetteer))


def _mention_at(ctx: _DocContext, s: int, e: int, strong: bool) -> Mention | None:
    """Tokens [s, e) as a place mention with gazetteer candidates, or None. "Rostov region",
    "Pokrovsk direction": the curated larger place first."""
    doc, text, gazetteer = ctx.doc, ctx.text, ctx.gazetteer
    span_text = text[doc[s].idx : doc[e - 1].idx + len(doc[e - 1])]
    region_word = _region_word_after(doc, e)
    is_direction = region_word is not None and region_word.lower() in _DIRECTION_WORDS
    if region_word:
        full = text[doc[s].idx : doc[e].idx + len(doc[e])]
        m = Mention(full, doc[s].idx, doc[e].idx + len(doc[e]), strong=True, direction=is_direction)
        m.keys = [k for k in mention_keys(full) if k[1] in ("", "Cyrillic case form")]
        _lookup(m, gazetteer)
        if m.candidates:
            return m
    m = Mention(span_text, doc[s].idx, doc[s].idx + len(span_text), strong=strong)
    # "Zelensky" is a surname, not the adjective of a town: adjectival forms only before a
    # region word, in Cyrillic, or where spaCy says place.
    m.keys = mention_keys(
        span_text, direction=is_direction, adjectival=strong or is_direction or has_cyrillic(span_text)
    )
    _lookup(m, gazetteer)
    if m.demonym:
        return None  # "Syrian" is Syria's people (an actor), never Sirjan
    return m if m.candidates else None


def _names_no_place(ctx: _DocContext, i: int, j: int, strong: bool) -> bool:
    """Tokens [i, j) that cannot be a place whatever the gazetteer says: part of a person's
    name (unless spaCy or the gazetteer says place), of an organisation's, or a name the
    article uses for something else here (_not_a_place_here)."""
    doc = ctx.doc
    if any(k in ctx.person for k in range(i, j)) and not (strong or _whole_person_is_place(doc, i, j, ctx.gazetteer)):
        return True
    if i in ctx.of_org or (i in ctx.org_inner and not strong):
        return True
    key = name_key(doc[i:j].text)
    return _not_a_place_here(doc, i, j, key, ctx.people, strong, ctx.gazetteer.is_strong_name(key))


def _longest_mention_from(
    ctx: _DocContext, i: int, run: tuple[int, int], mentions: list[Mention]
) -> tuple[Mention, int] | None:
    """The longest accepted mention starting at token ``i`` (at most six tokens, within the
    run) and the token it ends before; None when none is accepted."""
    doc = ctx.doc
    for j in range(min(run[1], i + 6), i, -1):
        if doc[j - 1].text in _NAME_LINKS:
            continue
        strong = all(k in ctx.strong for k in range(i, j))
        if _names_no_place(ctx, i, j, strong):
            continue
        m = _mention_at(ctx, i, j, strong)
        if m is None:
            continue
        if name_key(doc[i:j].text) in _ACTOR_PLACES and not _actor_place_is_a_place(doc, i, mentions):
            continue
        m.dateline = _is_dateline(doc, i, j, ctx.text)
        verdict = _accept(m, doc, i, j, run, ctx.gazetteer)
        if verdict is not None:  # else try the shorter spans at i
            m.provisional = verdict == "provisional"
            return m, j
    return None


def find_place_mentions(doc, gazetteer=None) -> list[Mention]:
    """Every place mention of the Doc with its gazetteer candidates and qualifiers: the longest
    accepted mention at each token of each candidate run, and the parts of a compound one."""
    ctx = _doc_context(doc, gazetteer or get_gazetteer())
    mentions: list[Mention] = []
    for rs, re_ in _candidate_runs(doc):
        i = rs
        while i < re_:
            if doc[i].text in _NAME_LINKS:
                i += 1
                continue
            found = _longest_mention_from(ctx, i, (rs, re_), mentions)
            if found:
                m, j = found
                mentions.append(m)
                _add_components(m, doc, i, j, mentions, ctx.gazetteer)
                i = j + (1 if m.end > doc[j - 1].idx + len(doc[j - 1]) else 0)
            else:
                i += 1
    _link_qualifiers(mentions, ctx.text)
    return mentions


def _add_components(m: Mention, doc, s: int, e: int, mentions: list, gazetteer) -> None:
    """A hyphenated compound that resolved as a whole ("Krasnoarmeyskoye-Dymitrovskoye
    direction") also yields each part with its own sub-span."""
    is_direction = m.direction
    hyphenated = any(t.text in "-–" for t in doc[s:e])
    if is_direction and not hyphenated:
        parts = [doc[s:e]]  # "Pokrovsk direction" -> Pokrovsk
    elif hyphenated and (is_direction or all(c.place.feature in ("direction", "region") for c, _, _ in m.candidates)):
        # "Krasnoarmeyskoye-Dymitrovskoye direction"; never the parts of a town's own
        # hyphenated name ("Kamensk-Shakhtinsky" is not also Shakhtinsk, Kazakhstan)
        parts = [t for t in doc[s:e] if t.text not in _NAME_LINKS]
    else:
        return
    for t in parts:
        start = t.idx if hasattr(t, "idx") else t.start_char
        c = Mention(t.text, start, start + len(t.text), strong=True, component_of=m)
        c.keys = mention_keys(t.text, direction=is_direction)
        _lookup(c, gazetteer)
        if c.candidates:
            mentions.append(c)


def _is_curated(place: Place) -> bool:
    return bool(place.slug) and place.feature != "A.ADM2"


def _accept(m: Mention, doc, s: int, e: int, run: tuple[int, int], gazetteer) -> str | None:
    """Guards for mentions spaCy did not label as places: None (reject), "yes", or
    "provisional" (a small town kept only if the article's other places support it)."""
    key = name_key(m.text)
    if e - s == 1 and gazetteer.is_not_place(key, labelled=m.strong):
        return None
    if m.strong:
        return "yes"
    if _no_name_here(m, doc, s, e):
        return None
    # The rest of the capitalised run the mention sits in ("Gulf War", "Pacific Fleet").
    rest = [
        t
        for t in doc[run[0] : run[1]]
        if not (s <= t.i < e) and t.text not in _NAME_LINKS and not t.is_stop and not t.is_punct
    ]
    if gazetteer.is_strong_name(key) and not m.text.isupper():
        verdict = _strong_name_verdict(m, doc, s, e, rest)
        if verdict is not _UNDECIDED:
            return verdict
    if m.text.isupper() and len(m.text) <= 4:
        return _acronym_verdict(m)
    return _weak_name_verdict(m, doc, s, e, run, rest)


# _strong_name_verdict's "no verdict": the weaker rules decide
_UNDECIDED = "undecided"


def _no_name_here(m: Mention, doc, s: int, e: int) -> bool:
    """A sentence-initial common word (an all-caps dateline "KYIV" is tagged NOUN and stays), a
    short word ("По", "Of", "Po": function words and two-letter namesakes) or stop words only."""
    tok = doc[s]
    if e - s == 1 and tok.is_sent_start and tok.pos_ != "PROPN" and not tok.text.isupper():
        return True
    if len(m.text) <= 3 and not m.text.isupper():
        return True
    return all(t.is_stop for t in doc[s:e])


def _strong_name_verdict(m: Mention, doc, s: int, e: int, rest: list) -> str | None:
    """A strong name (front-line town, curated place, country, region, sea) stands on its own,
    unless it is only part of a longer capitalised name ("Gulf War", "Pacific Fleet")."""
    if rest and any(c.place.feature in AREA_FEATURES for c, _, _ in m.candidates):
        return None
    if rest and e - s == 1:
        return _UNDECIDED
    if e - s == 1 and _only_a_foreign_region(m) and {t.ent_type_ for t in doc[s:e]} - {""}:
        # "Delta said" (an airline, tagged ORG) is not Delta State, Nigeria: a region
        # of a distant country that spaCy tags otherwise needs the article's support
        return "provisional"
    return "yes"


def _acronym_verdict(m: Mention) -> str | None:
    """Acronyms only when they name a curated region ("DPR") or a big place by its own name (a
    "KYIV" dateline)."""
    if any(_is_curated(c.place) for c, _, _ in m.candidates):
        return "yes"
    best = max((c for c, _, _ in m.candidates), key=lambda c: c.place.population)
    return "yes" if best.kind == KIND_NAME and best.place.population >= 100_000 else None


def _weak_name_verdict(m: Mention, doc, s: int, e: int, run: tuple[int, int], rest: list) -> str | None:
    """A name that is neither labelled a place nor strong: curated places and countries pass,
    abbreviations only as a qualifier, a part of a longer name only as a town's own name, a small
    town matched through spelling folds only with the article's support."""
    if any(_is_curated(c.place) or c.place.feature == "A.PCLI" for c, _, _ in m.candidates):
        return "yes"
    # Abbreviations ("Ill.") only as a qualifier right after "<place>, ".
    if all(c.kind == KIND_ABBREVIATION for c, _, _ in m.candidates):
        before = doc_text(doc)[max(0, m.start - 2) : m.start]
        return "yes" if before.strip() == "," else None
    # Part of a longer capitalised name: "Dublin City Council" locates, "Wall Street" is not
    # Waal: only a town's own official name, spelled exactly, counts there.
    written = romanise(m.text)
    own_name = [c for c, _, _ in m.candidates if c.kind == KIND_NAME and romanise(c.place.name) == written]
    if rest and not has_cyrillic(m.text) and not any(t.text in "-–" for t in doc[run[0] : run[1]]):
        return "yes" if any(c.place.population >= _WEAK_MIN_POPULATION for c in own_name) else None
    best = max((c for c, _, _ in m.candidates), key=lambda c: c.place.population)
    all_proper = all(t.pos_ == "PROPN" for t in doc[s:e])
    # Matched only through spelling folds or an alternate name ("Wire" -> Vire, France): a
    # small town then needs the article's other places for support.
    if not has_cyrillic(m.text) and best.place.population < 100_000 and not own_name:
        return "provisional" if all_proper else None
    if best.place.population >= _WEAK_MIN_POPULATION or best.place.feature == "A.ADM1":
        return "provisional" if _only_a_foreign_region(m) else "yes"
    return "provisional" if all_proper else None


def _only_a_foreign_region(m: Mention) -> bool:
    """The name's only notable reading is a first-order region outside the curated countries
    (the GeoNames regions of the world: "Delta", "Rivers", "Plateau" in Nigeria)."""
    notable = [
        c.place for c, _, _ in m.candidates if c.place.is_area or _is_curated(c.place) or c.place.population >= 100_000
    ]
    return bool(notable) and all(p.feature == "A.ADM1" and not _is_curated(p) and p.country != "US" for p in notable)


def _supported(m: Mention, anchors: list[Place], gazetteer) -> bool:
    """A provisional small-town mention stays when a confidently found place is in the same
    region or within 150 km ("Huliaipole" beside "the Zaporizhzhia region")."""
    place = m.choice[0] if m.choice else None
    if place is None:
        return False
    for a in anchors:
        if a.country == place.country and a.admin1 and a.admin1 == place.admin1:
            return True
        if a.feature in ("A.ADM1", "region") and _inside(place, a, gazetteer):
            return True  # a region, not a country, continent or macro-region: too wide
        if place.feature == "A.ADM1" and a.country == place.country:
            return True  # "Bavaria" beside "Munich" or "Germany"
        if not a.is_area and _distance_km(place, a) < 150:
            return True
    return False


def to_place_ref(m: Mention, gazetteer=None) -> model.PlaceRef | None:
    if not m.choice:
        return None
    gazetteer = gazetteer or get_gazetteer()
    place, matched = m.choice
    admin1 = gazetteer.admin1_name(place.country, place.admin1) or place.admin1
    return model.PlaceRef(
        text=m.text,
        name=place.name,
        geonameid=place.geonameid,
        country=place.country,
        admin1=admin1,
        lat=place.lat,
        lon=place.lon,
        span=(m.start, m.end),
        place_id=place.place_id,
        feature=place.feature,
        matched=matched,
    )


def find_places(doc) -> list[model.PlaceRef]:
    """Every place mention in a spaCy doc, resolved, in text order."""
    gazetteer = get_gazetteer()
    mentions = find_place_mentions(doc, gazetteer)
    _resolve(mentions, gazetteer)
    anchors = [m.choice[0] for m in mentions if m.choice and not m.provisional]
    mentions = [m for m in mentions if not m.provisional or _supported(m, anchors, gazetteer)]
    refs = [r for m in mentions if (r := to_place_ref(m, gazetteer)) is not None]
    refs.sort(key=model.text_order)
    return refs
