"""What a claim asserts, beyond its words: event type, numbers, direction, speaker and side.

Two reports of one claim rarely share their words ("units improved their positions on the
eastern outskirts of Konstantinovka" / "troops had advanced on the eastern edge of
Kostiantynivka"), but they share what the pipeline resolves and what a small lexicon reads off the
content: the place ids, the kind of event (an advance), the numbers (none), the part of town
(east), and a speaker on the same side. The same features tell apart claims in nearly the same
words: another town, another figure ("145" / "160 servicemen"), another part of town, another
event ("cleared" / "lost" an observation post), the other side's mirror claim.

Everything here reads the claim's fields only (no spaCy: the alert function imports novelty
without the NLP layer). The lemmas are a lexicon with suffix stripping, English only.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from claimwatch.model import Claim

# Claims in other words join on these features only within this many days of the founding claim:
# a bulletin's re-reports come within hours or days; the same event type at the same place a week
# later is more likely a new claim.
WINDOW_DAYS = 3
MAX_STRUCTURED_KEYS = 2  # structured keys per claim: towns, then figures (figures first for casualties)

# Event types in priority order: when the content names several ("glide bombs had killed three
# people"), the earlier type wins (a casualty figure, not a strike).
_EVENT_WORDS = {
    "casualty": "kill killed wound wounded injure injured die died dead death casualty casualties loss losses "
    "eliminate eliminated",
    "intercept": "intercept intercepted downed",
    "capture": "capture captured seize seized liberate liberated occupy occupied overrun overran clear cleared "
    "take took taken",
    "withdrawal": "withdraw withdrew withdrawn withdrawal retreat retreated pull pulled abandon abandoned "
    "lose lost leave left evacuate evacuated flee fled",
    "repel": "repel repelled repulse repulsed thwart thwarted",
    "hold": "hold held remain remained retain retained intact standing defend defended",
    "advance": "advance advanced enter entered push pushed breach breached progress progressed "
    "encircle encircled surround surrounded cut broke broken storm stormed offensive gain gained",
    "strike": "strike struck hit destroy destroyed damage damaged shell shelled bomb bombed attack attacked "
    "shelling bombing missile missiles target targeted launch launched pound pounded",
    "fighting": "fight fighting fought clash clashes clashed battle battles",
}
_PHRASES = [  # (words in order, at most two words apart) -> event type
    (("take", "control"), "capture"),
    (("took", "control"), "capture"),
    (("taken", "control"), "capture"),
    (("gain", "control"), "capture"),
    (("gained", "control"), "capture"),
    (("establish", "control"), "capture"),
    (("established", "control"), "capture"),
    (("shot", "down"), "intercept"),
    (("shoot", "down"), "intercept"),
    (("air", "defence"), "intercept"),
    (("air", "defences"), "intercept"),
    (("air", "defense"), "intercept"),
    (("air", "defenses"), "intercept"),
    (("improved", "positions"), "advance"),
    (("improve", "positions"), "advance"),
    (("moved", "forward"), "advance"),
    (("pull", "back"), "withdrawal"),
    (("under", "control"), "capture"),
    (("full", "control"), "capture"),
    (("fall", "back"), "withdrawal"),
    (("fell", "back"), "withdrawal"),
    (("beat", "back"), "repel"),
    (("beaten", "back"), "repel"),
    (("fend", "off"), "repel"),
    (("fended", "off"), "repel"),
    (("fought", "off"), "repel"),
    (("under", "fire"), "strike"),
    (("opened", "fire"), "strike"),
]
# "clearing mines", "cleared the rubble": the object makes the verb no military event.
_NOT_AN_EVENT_BEFORE = frozenset(
    "mine mines minefields rubble debris snow part place measures steps action note "
    "account care responsibility talks meeting consultations up".split()
)
_EVENT_ORDER = list(_EVENT_WORDS)
_EVENT_OF = {w: ev for ev in _EVENT_ORDER for w in _EVENT_WORDS[ev].split()}
_INTENT = frozenset(
    "will would 'll shall plan plans planned intend intends intended vow vowed vows promise "
    "promised threaten threatened going aim aims".split()
)
_FEATURE_NUMBERS_CHARS = 12  # figures a band entry carries at most (entries stay under 50 bytes)
# Short codes for the band entries (their size is billed).
_EVENT_CODE = {
    "casualty": "c",
    "intercept": "i",
    "capture": "k",
    "withdrawal": "w",
    "repel": "r",
    "hold": "h",
    "advance": "a",
    "strike": "s",
    "fighting": "f",
    "intent": "t",
    "other": "o",
}
# Event types that do not contradict each other: fighting in a place is how an advance into it
# is often reported ("fighting on the western edge" / "entered the western outskirts").
_COMPATIBLE_EVENTS = {frozenset({"advance", "fighting"})}

_NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "dozen": 12,
    "pair": 2,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?(?:st|nd|rd|th)?|[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_DIRECTIONS = {
    "north": "n",
    "northern": "n",
    "south": "s",
    "southern": "s",
    "east": "e",
    "eastern": "e",
    "west": "w",
    "western": "w",
    "central": "c",
    "centre": "c",
    "center": "c",
}
_COMPOUND_DIRECTION = re.compile(r"\b(north|south)[- ]?(east|west)(?:ern)?\b")
_PART_OF_TOWN = frozenset(
    "outskirts outskirt edge edges part parts district districts side flank approaches "
    "suburb suburbs quarter quarters neighbourhood neighbourhoods neighborhood neighborhoods "
    "section sector areas bank".split()
)

# Speakers that are one source however an outlet names them: a state's military and government
# ("the ministry", "Moscow", "Russia's Defence Ministry", "the Kremlin"). Keyed by actor id or by
# the normalised source name.
_STATE_SPEAKERS = {
    "state:russia": (
        "actor:russian-armed-forces",
        "actor:russian-government",
        "name:moscow",
        "name:kremlin",
        "name:russia",
        "name:russian federation",
    ),
    "state:ukraine": (
        "actor:armed-forces-of-ukraine",
        "actor:ukrainian-government",
        "name:kyiv",
        "name:kiev",
        "name:ukraine",
    ),
}
_SPEAKER_OF = {key: speaker for speaker, keys in _STATE_SPEAKERS.items() for key in keys}
# The side a speaker belongs to: the other side's mirror claim ("we repelled 14 assaults near X")
# is not a re-report.
_SIDE_OF_SPEAKER = {
    "state:russia": "r",
    "actor:dpr-authorities": "r",
    "actor:lpr-authorities": "r",
    "actor:russian-backed-forces": "r",
    "actor:wagner-group": "r",
    "actor:vladimir-putin": "r",
    "actor:denis-pushilin": "r",
    "actor:leonid-pasechnik": "r",
    "actor:dmitry-peskov": "r",
    "actor:sergei-lavrov": "r",
    "actor:maria-zakharova": "r",
    "actor:valery-gerasimov": "r",
    "actor:andrei-belousov": "r",
    "actor:sergei-shoigu": "r",
    "actor:igor-kimakovsky": "r",
    "actor:fsb": "r",
    "state:ukraine": "u",
    "actor:volodymyr-zelensky": "u",
    "actor:oleksandr-syrskyi": "u",
    "actor:sbu": "u",
}
# A source named by a bare institutional noun ("the ministry", "the group", "the General Staff")
# is the named source of that kind nearby: the same speaker as one whose name holds the noun.
# "the Defence Ministry" without its country is one too (the speaker resolution keeps it so for
# "Russia's Defence Ministry").
_GENERIC_HEADS = frozenset(
    "ministry group staff general command military army government administration office "
    "service headquarters authorities forces spokesman spokeswoman defence defense foreign "
    "interior".split()
)
# Words that carry no target of a strike (who struck, where, how generally).
_NOT_TARGETS = frozenset(
    "force forces troop troops unit units group russian ukrainian russia ukraine near area "
    "region town city village settlement outskirts edge direction its their our had has have "
    "been was were also overnight night day past air defence defences defense defenses "
    "system systems shot down drone drones missile missiles rocket rockets bomb bombs shell "
    "shells artillery aviation aerial guided glide ballistic cruise kamikaze fire under "
    "come came time times".split()
)


def speaker(source_key: str) -> str:
    """The speaker a source key stands for: one id per state's military/government voice."""
    return _SPEAKER_OF.get(source_key or "", source_key or "")


def side(source_key: str) -> str:
    """ "r" / "u" for a speaker known to be on the Russian / Ukrainian side, "" otherwise."""
    return _SIDE_OF_SPEAKER.get(speaker(source_key), "")


_FORCES_OF_SIDE = {"r": "actor:russian-armed-forces", "u": "actor:armed-forces-of-ukraine"}
_OWN_FORCES = re.compile(
    r"\b(?:its|our)\s+(?:\w+\s+)?(?:forces|troops|units|fighters|soldiers|servicemen|brigades)\b", re.IGNORECASE
)


def own_forces(text: str, source_key: str) -> str | None:
    """The actor "its forces" / "our units" stands for when a side's voice says it: each side
    claims to have repelled the other's assaults in nearly the same words."""
    forces = _FORCES_OF_SIDE.get(side(source_key))
    return forces if forces and _OWN_FORCES.search(text or "") else None


def generic_source(name: str) -> bool:
    words = name.split()
    return 0 < len(words) <= 2 and all(w in _GENERIC_HEADS for w in words)


def same_speaker(key_a: str, name_a: str | None, key_b: str, name_b: str | None) -> bool:
    """One voice under two names: the same state speaker, or a bare institutional noun ("the
    ministry") and a name that holds it ("Russia's Defence Ministry")."""
    if key_a and key_b and speaker(key_a) == speaker(key_b):
        return True
    words_a, words_b = (name_a or "").split(), (name_b or "").split()
    for generic, named, named_key in ((words_a, words_b, key_b), (words_b, words_a, key_a)):
        if not generic_source(" ".join(generic)):
            continue
        # "the ministry" and "Russia's Defence Ministry"; "the military" and "Moscow"
        if (named and set(generic) <= set(named)) or speaker(named_key).startswith("state:"):
            return True
    return False


def _lemma(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word


def _words(text: str) -> list:
    return [_lemma(w) for w in _TOKEN.findall(text.lower())]


def _number(word: str, prev: str, nxt: str) -> str | None:
    if word[0].isdigit():
        digits = re.sub(r"(st|nd|rd|th)$", "", word.replace(",", ""))
        if prev in _MONTHS or nxt in _MONTHS:
            return None  # a date ("October 1"), not a figure
        if re.fullmatch(r"(19|20)\d\d", digits):
            return None  # a year
        return digits.rstrip("0").rstrip(".") if "." in digits else digits
    value = _NUMBER_WORDS.get(word)
    if value is None or (word == "second" and nxt in ("time", "day", "week")):
        return None
    return str(value)


def numbers(text: str) -> frozenset:
    words = _words(text)
    found = set()
    for i, w in enumerate(words):
        n = _number(w, words[i - 1] if i else "", words[i + 1] if i + 1 < len(words) else "")
        if n is not None:
            found.add(n)
    return frozenset(found)


def _forms(word: str) -> set:
    """A word and its possible uninflected forms ("advancing", "pushes", "seizes", "taking")."""
    forms = {word}
    if word.endswith("s"):
        forms |= {word[:-1], word[:-2]}
    if word.endswith("ing"):
        forms |= {word[:-3], word[:-3] + "e", word[:-4]}
    return forms


def _event_of(word: str) -> str | None:
    """The event type a word names, through its inflections."""
    return next((_EVENT_OF[f] for f in sorted(_forms(word), key=len, reverse=True) if f in _EVENT_OF), None)


def event_type(text: str) -> str:
    """The kind of event the content asserts; "intent" when a modal or a verb of intent comes
    before it ("would continue to defend"); "other" when the lexicon knows none of its words."""
    words = _words(text)
    hits = []  # (priority, position, event)
    for i, w in enumerate(words):
        ev = _event_of(w)
        if ev and _NOT_AN_EVENT_BEFORE & set(words[i + 1 : i + 3]):
            continue
        if ev == "withdrawal" and w in ("lose", "lost") and any(_number(x, "", "") for x in words[i + 1 : i + 5]):
            ev = "casualty"  # "had lost 1,290 troops"
        if ev:
            hits.append((_EVENT_ORDER.index(ev), i, ev))
        for phrase, pev in _PHRASES:
            if phrase[0] in _forms(w) and phrase[1] in words[i + 1 : i + 4]:
                hits.append((_EVENT_ORDER.index(pev), i, pev))
    if not hits:
        return "intent" if _INTENT & set(words) else "other"
    _, at, ev = min(hits)
    first = min(i for _, i, _ in hits)
    if _INTENT & set(words[: max(at, first)]):
        return "intent"
    return ev


def directions(text: str) -> frozenset:
    """The part of a town a claim is about ("the eastern outskirts", "in the south of"), not the
    compass word of a region's name ("Ukraine's eastern Donetsk region", "in eastern Ukraine")."""
    words = _words(_COMPOUND_DIRECTION.sub(lambda m: f"{m.group(1)}-{m.group(2)}", text.lower()))
    found = set()
    for i, w in enumerate(words):
        codes = (
            {_DIRECTIONS[p] for p in w.split("-") if p in _DIRECTIONS}
            if "-" in w
            else ({_DIRECTIONS[w]} if w in _DIRECTIONS else set())
        )
        if codes and (words[i + 1 : i + 2] == ["of"] or _PART_OF_TOWN & set(words[i + 1 : i + 3])):
            found |= codes
    return frozenset(found)


def _day(claim: Claim, now: datetime | None) -> int:
    published = claim.provenance.published if claim.provenance else None
    when = None
    if published:
        try:
            when = datetime.fromisoformat(published.replace("Z", "+00:00"))
        except ValueError:
            when = None
    when = when or now or datetime.now(UTC)
    return (when.date() - date(1970, 1, 1)).days


@dataclass(frozen=True)
class Identity:
    event: str = "other"
    side: str = ""  # "r" | "u" | "": the speaker's side
    numbers: frozenset = frozenset()
    directions: frozenset = frozenset()
    targets: frozenset = frozenset()  # content words of a strike: what was hit
    areas: frozenset = frozenset()  # place ids that are regions or countries, not towns
    date: str = ""  # the date the claim names (claim.date)
    day: int = 0  # publication day (days since 1970-01-01)
    stance: str = "assert"
    known: bool = field(default=True, compare=False)  # False for clusters stored before identities

    def to_json(self) -> str:
        return json.dumps(
            {
                "e": self.event,
                "s": self.side,
                "n": sorted(self.numbers),
                "d": "".join(sorted(self.directions)),
                "t": sorted(self.targets),
                "a": sorted(self.areas),
                "dt": self.date,
                "day": self.day,
                "st": self.stance,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | None) -> Identity:
        if not text:
            return cls(known=False)
        d = json.loads(text)
        return cls(
            event=d.get("e", "other"),
            side=d.get("s", ""),
            numbers=frozenset(d.get("n", ())),
            directions=frozenset(d.get("d", "")),
            targets=frozenset(d.get("t", ())),
            areas=frozenset(d.get("a", ())),
            date=d.get("dt", ""),
            day=int(d.get("day", 0)),
            stance=d.get("st", "assert"),
        )

    def features(self) -> str:
        """The few features a band entry of a structured key carries, so that candidates filed
        there are filtered before any cluster is read: "~" side stance day numbers directions."""
        nums = "-".join(sorted(self.numbers))
        if len(nums) > _FEATURE_NUMBERS_CHARS:
            nums = "*"  # too many figures to file: the filter leaves them to the full comparison
        return f"~{self.side or '_'}{self.stance[:1]}{self.day:x}.{nums}.{''.join(sorted(self.directions))}"

    @classmethod
    def from_features(cls, text: str) -> Identity | None:
        if not text or not text.startswith("~"):
            return None
        try:
            head, nums, dirs = text[1:].split(".", 2)
            return cls(
                side=head[0].strip("_"),
                stance="deny" if head[1] == "d" else "assert",
                day=int(head[2:], 16),
                numbers=frozenset(n for n in nums.split("-") if n and n != "*"),
                directions=frozenset(dirs),
            )
        except (ValueError, IndexError):
            return None


def identity(
    claim: Claim, source_key: str, tokens: list, stem, areas=frozenset(), now: datetime | None = None
) -> Identity:
    """The claim's identity. ``tokens``: its normalised content tokens, ``stem`` the stemmer that
    made them (fingerprint.py); ``areas``: its place ids that are regions or countries."""
    text = claim.content.text or ""
    event = event_type(text)
    targets: frozenset[str] = frozenset()
    if event in ("strike", "intercept"):
        ignore = {stem(w) for w in (*_NOT_TARGETS, *_EVENT_OF, *_NUMBER_WORDS, *_DIRECTIONS)}
        targets = frozenset(t for t in tokens if ":" not in t and not t[0].isdigit() and t not in ignore)
    return Identity(
        event=event,
        side=side(source_key),
        numbers=numbers(text),
        directions=directions(text),
        targets=targets,
        areas=frozenset(areas),
        date=claim.date or "",
        day=_day(claim, now),
        stance=claim.stance or "assert",
    )


def conflicts(a: Identity, b: Identity) -> str | None:
    """Why two claims cannot be one, whatever their words: another figure, date, part of town,
    kind of event or target of a strike. None when nothing contradicts."""
    if not (a.known and b.known):
        return None
    if a.numbers and b.numbers and not (a.numbers <= b.numbers or b.numbers <= a.numbers):
        return "numbers"
    if a.date and b.date and _days_apart(a.date, b.date) > 1:
        return "date"  # a day's slack: "said on Tuesday" may date the statement, not the event
    if a.directions and b.directions and not (a.directions & b.directions):
        return "direction"
    if a.event != b.event and "other" not in (a.event, b.event) and {a.event, b.event} not in _COMPATIBLE_EVENTS:
        return "event"
    if a.targets and b.targets and not (a.targets & b.targets):
        return "target"  # another thing hit near the same town
    return None


def _days_apart(a: str, b: str) -> int:
    try:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)
    except ValueError:
        return 0 if a == b else 2


def within_window(a: Identity, b: Identity) -> bool:
    return abs(a.day - b.day) <= WINDOW_DAYS


def _specific(place_keys) -> list:
    """Towns before areas (a region or a country names where, not what)."""
    return sorted(place_keys, key=lambda p: (p.startswith("place:"), p))


def structured_keys(ident: Identity, place_keys, area_keys=frozenset()) -> list:
    """Lookup keys that paraphrases share without sharing words: (event type, town) and (event
    type, figure), towns first (figures first for a casualty figure), regions and countries last."""
    if ident.event == "other":
        return []
    places = _specific(place_keys)
    # The largest figures first: "shot down 37 of 45 drones" and "downed 37 drones" share one.
    figures = [f"n:{n}" for n in sorted(ident.numbers, key=lambda n: (-float(n), n))]
    towns = [f"p:{p}" for p in places if p not in area_keys]
    areas = [f"p:{p}" for p in places if p in area_keys]  # a region or country says less than a figure
    parts = (figures + towns + areas) if ident.event == "casualty" else (towns + figures + areas)
    keys = []
    for part in parts[:MAX_STRUCTURED_KEYS]:
        digest = hashlib.blake2b(f"{ident.event}|{part}".encode(), digest_size=6).hexdigest()
        keys.append(f"event#{_EVENT_CODE[ident.event]}#{digest}")
    return keys


def may_be_same(mine: Identity, filed: Identity) -> bool:
    """The filter on a structured band entry's features (no cluster read yet)."""
    if filed.numbers and mine.numbers and not (filed.numbers <= mine.numbers or mine.numbers <= filed.numbers):
        return False
    if filed.directions and mine.directions and not (filed.directions & mine.directions):
        return False
    if not within_window(mine, filed):
        return False
    # not the other side's mirror claim
    return not (mine.stance == filed.stance and mine.side and filed.side and mine.side != filed.side)
