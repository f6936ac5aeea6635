"""Claim fingerprints: who said it, about what, and a MinHash of what was said.

The content is normalised before shingling so that restatements of one claim look alike:
place and actor mentions inside the content become their resolved ids (``Artemovsk`` and
``Bakhmut`` are one token, ``geo:...``), words are lower-cased, stop words dropped and common
suffixes stripped. The shingles are word n-grams of that token stream (unigrams by default: a
paraphrase reorders words, so bigrams would hide it); MinHash estimates the Jaccard similarity of
two shingle sets, and LSH bands turn "similar" into "shares one band key", which a key-value
store can look up with one read per band.

Banding: 10 bands of 2 rows. A pair of claims with Jaccard similarity s shares at least one band
with probability 1 - (1 - s^2)^10: 0.94 at s = 0.5 (the lowest join threshold) and 0.99 at 0.6,
as good as the 20 bands of 3 used before (0.93 / 0.99) for half the band reads and writes.
Narrower bands also let more dissimilar pairs through (0.34 at s = 0.2 against 0.15); the
``sketch`` filters those before any cluster is read. The bands use the first 20 MinHash values;
all 60 still estimate the similarity.

Words are not all of a claim: ``identity.py`` reads its event type, numbers, part of town and
speaker, and adds one or two structured keys ((event type, place), (event type, figure)) to the
band keys, so that paraphrases sharing no words still find each other.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from claimwatch.model import Claim
from claimwatch.novelty.identity import Identity, identity, own_forces, structured_keys
from claimwatch.resolve.normalize import name_key

NUM_BANDS = 10
ROWS_PER_BAND = 2
NUM_PERM = 60  # more values than the bands use: a finer similarity estimate costs no lookups
SKETCH_BITS = 4  # low bits of each MinHash value kept in band entries
SHINGLE_SIZE = 1
_PRIME = (1 << 61) - 1
_MASK32 = 0xFFFFFFFF

# Fixed seed: signatures must be comparable across processes, deployments and replays.
_rng = random.Random(0x5EED_C1A1)
assert NUM_BANDS * ROWS_PER_BAND <= NUM_PERM
_PERMUTATIONS = [(_rng.randrange(1, _PRIME), _rng.randrange(0, _PRIME)) for _ in range(NUM_PERM)]

_STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from into onto over under about after
    before during between against among through toward towards within without upon as than then
    that this these those there here it its it's is are was were be been being has have had having
    do does did will would shall should can could may might must not no nor so such very also
    just only own same too more most other some any each all both few which who whom whose what
    when where why how he she they them their his her him we us our you your i me my said says
    out up down off away back
    say stated noted added according further now already still reportedly allegedly""".split()
)
_SUFFIXES = ("ingly", "edly", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s")
_WORD = re.compile(r"[^\W_]+(?:[:\-][^\W_]+)*", re.UNICODE)
_PRONOUNS = frozenset("he she they it we i you his her their its".split())


@dataclass
class Fingerprint:
    source_key: str  # actor id, or the normalised source name; "" when unknown
    source_name: str  # normalised source name as written or resolved; "" for pronouns/unknown
    entity_keys: frozenset  # claim.entity_keys(): places, actors, source actor
    place_keys: frozenset
    actor_keys: frozenset  # actors mentioned in the content (not the source)
    exact: str  # hash of the normalised content: identical restatements
    signature: tuple  # MinHash values, NUM_PERM of them
    bands: tuple = field(default=())  # "band#<i>#<hash>" keys, one per LSH band
    tokens: tuple = field(default=())
    sketch: str = ""  # sketch(signature): filed with the band entries to filter candidates
    identity: Identity = field(default_factory=Identity)
    structured: tuple = field(default=())  # "event#<code>#<hash>" keys: (event type, place or figure)

    def lookup_keys(self) -> list:
        """The keys a candidate cluster is filed under: one per band, and the structured keys.
        (Identical content has an identical signature, so the exact hash needs no key of its own:
        it names new clusters.)"""
        return list(self.bands) + list(self.structured)


def stem(word: str) -> str:
    if ":" in word:  # an entity id token
        return word
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def normalise_name(name: str | None) -> str:
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    words = [w for w in re.findall(r"[a-z0-9]+", text) if w not in ("the",)]
    return " ".join(words)


def source_key(claim: Claim) -> str:
    src = claim.source
    if src.actor_id:
        return src.actor_id
    name = normalise_name(src.name)
    if name:
        return f"name:{name}"
    if src.type == "anonymous" or normalise_name(src.text) in _PRONOUNS:
        return ""
    text = normalise_name(src.text)
    return f"name:{text}" if text else ""


def _source_name(claim: Claim) -> str:
    if claim.source.name:
        return normalise_name(claim.source.name)
    key = source_key(claim)
    return key.removeprefix("name:") if key.startswith("name:") else ""


def _fold_transliteration(word: str) -> str:
    """One spelling for a name's Russian and Ukrainian transliterations: name_key folds the
    vowels (Syrsky / Syrskyi), and Ukrainian h is Russian g (Synehubov / Sinegubov, Oleh / Oleg)."""
    return name_key(word).replace("kh", "x").replace("h", "g")


def _name_tokens(name: str) -> set:
    # 5-letter prefixes: "Russia's" and "Russian" are one word here.
    return {_fold_transliteration(w)[:5] for w in normalise_name(name).split() if w not in _STOPWORDS and len(w) > 1}


def similar_names(a: str | None, b: str | None) -> bool:
    """Two spellings of one source: "The Russian Defence Ministry" / "Russia's Defence Ministry"."""
    ta, tb = _name_tokens(a or ""), _name_tokens(b or "")
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.5


def _within(inner, outer) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def content_places(claim: Claim) -> list:
    """Resolved places, except those inside a longer actor name ("Armed Forces of [Ukraine]")."""
    actor_spans = [a.span for a in claim.actors if a.actor_id and a.span]
    return [
        p
        for p in claim.places
        if p.place_id
        and not (p.span and any(_within(p.span, s) and s[1] - s[0] > p.span[1] - p.span[0] for s in actor_spans))
    ]


def content_actors(claim: Claim) -> list:
    """Resolved actors, except mentions that are (inside) a resolved place: a place name read as
    a person ("Dimitrov") must not make two reports of one claim look different."""
    place_spans = [p.span for p in content_places(claim) if p.span]
    return [a for a in claim.actors if a.actor_id and not (a.span and any(_within(a.span, s) for s in place_spans))]


# Towns this small are left to the text's own resolution: a surname that is also a village's name
# is likelier than a town the text resolution missed.
_MIN_TOWN_POPULATION = 1000


def towns_read_as_names(claim: Claim) -> dict:
    """actor id -> place id for the content's names that nothing resolved (a "person:"/"org:"
    id) but that the gazetteer knows as a town: a small town named alone in a sentence is often
    read as a person ("Krasny Liman", "Orikhiv"), and one report resolving it while the other does
    not must not make one claim two. Empty where the gazetteer is not available."""
    names = [a for a in content_actors(claim) if not a.actor_id.startswith("actor:")]
    if not names:
        return {}
    try:
        from claimwatch.resolve.places import resolve_toponym

        found = {}
        for a in names:
            place = resolve_toponym(a.text, [p.name or p.text for p in content_places(claim)])
            if place is not None and not place.is_area and place.population >= _MIN_TOWN_POPULATION:
                found[a.actor_id] = place.place_id
        return found
    except Exception:  # no gazetteer (or no NLP layer) here: the text's resolution stands
        return {}


def _content_with_entity_tokens(claim: Claim, towns: dict | None = None) -> str:
    """The content text with each resolved place/actor mention replaced by its id (a name read
    as a person but known as a town by its place id, see ``towns_read_as_names``)."""
    text = claim.content.text or ""
    base = claim.content.span[0] if claim.content.span else None
    replacements = []
    towns = towns or {}
    refs = [(p, p.place_id) for p in content_places(claim)] + [
        (a, towns.get(a.actor_id, a.actor_id)) for a in content_actors(claim)
    ]
    for ref, key in refs:
        if not key or not ref.span or base is None:
            continue
        start, end = ref.span[0] - base, ref.span[1] - base
        if 0 <= start < end <= len(text) and text[start:end] == ref.text:
            replacements.append((start, end, f" {key.lower()} "))
    # Right to left, skipping overlaps, so earlier offsets stay valid.
    last_start = len(text) + 1
    for start, end, token in sorted(replacements, reverse=True):
        if end <= last_start:
            text = text[:start] + token + text[end:]
            last_start = start
    return text


def content_tokens(claim: Claim, towns: dict | None = None) -> list:
    text = unicodedata.normalize("NFKC", _content_with_entity_tokens(claim, towns)).lower()
    words = _WORD.findall(text)
    return [stem(w) for w in words if w not in _STOPWORDS and (len(w) > 1 or w.isdigit())]


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def shingles(tokens: list, size: int = SHINGLE_SIZE) -> set:
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def minhash(shingle_set: set) -> tuple:
    if not shingle_set:
        return tuple([_MASK32] * NUM_PERM)
    hashes = [_hash64(s) for s in shingle_set]
    return tuple(min(((a * h + b) % _PRIME) & _MASK32 for h in hashes) for a, b in _PERMUTATIONS)


def band_keys(signature: tuple) -> tuple:
    keys = []
    for i in range(NUM_BANDS):
        rows = signature[i * ROWS_PER_BAND : (i + 1) * ROWS_PER_BAND]
        digest = hashlib.blake2b(",".join(map(str, rows)).encode(), digest_size=6).hexdigest()
        keys.append(f"band#{i}#{digest}")
    return tuple(keys)


def sketch(signature) -> str:
    """The low SKETCH_BITS of every MinHash value, packed (base64url, 40 characters for 60
    values). Equal values have equal low bits, so ``sketch_similarity`` never estimates lower
    than ``estimated_jaccard``: filtering candidates on it cannot drop a true match."""
    mask = (1 << SKETCH_BITS) - 1
    bits = "".join(format(v & mask, f"0{SKETCH_BITS}b") for v in signature)
    bits += "0" * (-len(bits) % 8)
    packed = int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b""
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def sketch_similarity(signature, sketch_text: str | None) -> float:
    """Share of MinHash positions whose low bits agree: an upper bound of estimated_jaccard (up
    to chance agreement, 1 in 2**SKETCH_BITS). 1.0 when there is no sketch to compare with."""
    if not sketch_text:
        return 1.0
    theirs = base64.urlsafe_b64decode(sketch_text + "=" * (-len(sketch_text) % 4))
    bits = "".join(format(b, "08b") for b in theirs)
    mask = (1 << SKETCH_BITS) - 1
    values = [int(bits[i * SKETCH_BITS : (i + 1) * SKETCH_BITS], 2) for i in range(len(bits) // SKETCH_BITS)]
    if not signature or len(values) < len(signature):
        return 1.0  # another sketch layout: let the full comparison decide
    return sum(1 for v, w in zip(signature, values[: len(signature)], strict=True) if v & mask == w) / len(signature)


def estimated_jaccard(sig_a, sig_b) -> float:
    if not sig_a or not sig_b or len(sig_a) != len(sig_b):
        return 0.0
    return sum(1 for a, b in zip(sig_a, sig_b, strict=True) if a == b) / len(sig_a)


def encode_signature(signature) -> str:
    """4 bytes per value as base64url text: two thirds of the size of the hex text stored before."""
    return base64.urlsafe_b64encode(b"".join(v.to_bytes(4, "big") for v in signature)).decode("ascii").rstrip("=")


_HEX = frozenset("0123456789abcdef")


def decode_signature(text: str | None) -> tuple:
    """From ``encode_signature``'s text, or from the hex text of clusters stored before it."""
    if not text:
        return ()
    if len(text) % 8 == 0 and set(text) <= _HEX:
        return tuple(int(text[i : i + 8], 16) for i in range(0, len(text), 8))
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return tuple(int.from_bytes(data[i : i + 4], "big") for i in range(0, len(data), 4))


_AREA_FEATURES = ("A.PCLI", "A.ADM1", "region", "direction")


def fingerprint(claim: Claim, now: datetime | None = None) -> Fingerprint:
    """``now``: when the claim is seen, for claims without a publication time."""
    towns = towns_read_as_names(claim)
    tokens = content_tokens(claim, towns)
    shingle_set = shingles(tokens)
    signature = minhash(shingle_set)
    # Over the shingle set, like the signature: equal sets are one claim however worded.
    exact = hashlib.sha256("\n".join(sorted(shingle_set)).encode("utf-8")).hexdigest()[:20]
    places = content_places(claim)
    place_keys = frozenset(p.place_id for p in places) | frozenset(towns.values())
    areas = frozenset(p.place_id for p in places if p.feature in _AREA_FEATURES or p.place_id.startswith("place:"))
    key = source_key(claim)
    ident = identity(claim, key, tokens, stem, areas, now)
    actor_keys = {a.actor_id for a in content_actors(claim)} - set(towns)
    own = own_forces(claim.content.text, key)
    if own:
        actor_keys.add(own)
    return Fingerprint(
        source_key=key,
        source_name=_source_name(claim),
        entity_keys=frozenset(claim.entity_keys()),
        place_keys=place_keys,
        actor_keys=frozenset(actor_keys),
        exact=exact,
        signature=signature,
        bands=band_keys(signature),
        tokens=tuple(tokens),
        sketch=sketch(signature),
        identity=ident,
        structured=tuple(structured_keys(ident, place_keys, areas)) if tokens else (),
    )
