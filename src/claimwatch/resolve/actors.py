"""Actor mentions: curated aliases, acronyms defined in the text, demonym groups, people.

Sources of an ActorRef, in priority order (an earlier one wins where spans overlap):
1. the curated alias table `seeds/actors.yaml` (Latin and Cyrillic, transliteration-folded);
2. acronyms the article defines ("the Armed Forces of Ukraine (AFU)"): the acronym then stands
   for whatever its long form resolves to, or for a new org actor named by the long form;
3. demonym groups ("Ukrainian troops", "Russian special forces") -> the actor they denote;
4. people and organisations spaCy finds: a full name makes a person actor, and last-name
   references ("Henry") point back to it; an organisation's name makes an org actor.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from claimwatch import model
from claimwatch.extract.docindex import doc_text
from claimwatch.resolve.acronyms import find_acronym_spans
from claimwatch.resolve.normalize import cyrillic_case_variants, has_cyrillic, name_key, romanise

REPO_SEEDS = Path(__file__).resolve().parents[3] / "seeds" / "actors.yaml"
ENV_PATH = "CLAIMWATCH_ACTORS"
_POSSESSIVE = re.compile(r"['’]s\b")
_SLUG = re.compile(r"[^a-z0-9]+")


def _parse_yaml(text: str):
    import yaml  # here, not at import: the alert and fetch functions never read the actor table

    return yaml.load(text, getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}  # libyaml: ~10x faster


@dataclass(frozen=True)
class Actor:
    actor_id: str
    name: str
    type: str
    role: str | None = None


@dataclass(frozen=True)
class _Alias:
    words: tuple
    actor: Actor
    text: str
    exact_case: bool  # short all-caps aliases ("AFU") only match in capitals
    capitalised: bool  # the alias starts with a capital: so must the text


def slug(text: str) -> str:
    return _SLUG.sub("-", romanise(text)).strip("-")


def _alias_words(text: str) -> tuple:
    return tuple(name_key(_POSSESSIVE.sub("", text)).split())


class ActorTable:
    """The curated actors, indexed by the first word of each alias."""

    def __init__(self, data: dict):
        self.actors: dict[str, Actor] = {}
        self.by_first: dict[str, list[_Alias]] = {}
        self.by_key: dict[str, list[_Alias]] = {}
        self.groups: list[tuple[tuple, tuple, Actor, str, str]] = []
        self.not_actors = {name_key(str(x)) for x in data.get("not_actors") or ()}
        for n, a in enumerate(data.get("actors") or ()):
            for f in ("id", "name", "type"):
                if not a.get(f):
                    raise ValueError(f"seeds/actors.yaml actors[{n}]: missing '{f}'")
            actor = Actor(f"actor:{a['id']}", a["name"], a["type"], a.get("role"))
            self.actors[actor.actor_id] = actor
            for alias in {a["name"], *(str(x) for x in a.get("aliases") or ())}:
                words = _alias_words(alias)
                if not words:
                    continue
                bare = alias.replace(".", "")
                entry = _Alias(words, actor, alias, bare.isupper() and len(bare) <= 4, alias[:1].isupper())
                self.by_first.setdefault(words[0], []).append(entry)
                self.by_key.setdefault(" ".join(words), []).append(entry)
        for lst in self.by_first.values():
            lst.sort(key=lambda e: -len(e.words))  # longest alias first
        for n, g in enumerate(data.get("groups") or ()):
            group_actor = self.actors.get(f"actor:{g.get('actor')}")
            if group_actor is None:
                raise ValueError(f"seeds/actors.yaml groups[{n}]: unknown actor {g.get('actor')!r}")
            for d in g.get("demonyms") or ():
                for noun in g.get("nouns") or ():
                    self.groups.append((_alias_words(d), _alias_words(noun), group_actor, d, noun))
        self.groups.sort(key=lambda x: -(len(x[0]) + len(x[1])))
        # group() is asked about every capitalised phrase: index the pairs by demonym, in rank order
        self._groups_by_demonym: dict[tuple, list[tuple]] = {}
        for rank, (dem, noun_words, group_actor, d, noun) in enumerate(self.groups):
            self._groups_by_demonym.setdefault(dem, []).append((rank, noun_words, group_actor, d, noun))
        self._demonym_lengths = sorted({len(dem) for dem in self._groups_by_demonym})

    def lookup(self, text: str) -> Actor | None:
        """The actor an alias names (case-insensitive, transliteration-folded)."""
        entries = self.by_key.get(" ".join(_alias_words(text)))
        return entries[0].actor if entries else None

    def group(self, words: tuple) -> tuple | None:
        """(actor, demonym, noun) for "Ukrainian troops" / "Russian special forces": of the pairs
        that match, the longest (first in ``self.groups``)."""
        best = None
        for k in self._demonym_lengths:
            for rank, noun, actor, d, n in self._groups_by_demonym.get(words[:k], ()):
                if best is not None and rank >= best[0]:
                    break
                # the noun ends the phrase, right after the demonym or one word later
                if any(words[k + skip :] == noun for skip in (0, 1)):
                    best = (rank, (actor, d, n))
                    break
        return best[1] if best else None


@lru_cache(maxsize=1)
def get_actor_table() -> ActorTable:
    """Curated actors: $CLAIMWATCH_ACTORS (YAML), else the copy compiled into the gazetteer (JSON),
    else the repository's seeds/actors.yaml."""
    path = os.environ.get(ENV_PATH)
    if path:
        return ActorTable(_parse_yaml(Path(path).read_text(encoding="utf-8")))
    try:
        from claimwatch.resolve.gazetteer import get_gazetteer

        compiled = get_gazetteer().meta().get("actors_json")
    except Exception:  # no gazetteer yet (first build, bare checkout): fall back to the seed
        compiled = None
    if compiled is not None:
        return ActorTable(json.loads(compiled))
    return ActorTable(_parse_yaml(REPO_SEEDS.read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------------------------
# Mentions in a doc


@dataclass
class _Unit:
    word: str
    start: int
    end: int
    text: str
    upper: bool


def _units(doc) -> list[_Unit | None]:
    """One unit per word of each token's key; None marks punctuation (matches never cross it).
    Possessive "'s" and hyphens are skipped so "Ukraine's army" and "Russian-backed" match."""
    units: list[_Unit | None] = []
    for tok in doc:
        if tok.text in ("'s", "’s", "-", "–"):
            continue
        key = name_key(tok.text)
        if not key:
            units.append(None)
            continue
        for w in key.split():
            units.append(_Unit(w, tok.idx, tok.idx + len(tok), tok.text, tok.text.isupper()))
    return units


def _alias_at(units, i: int, table: ActorTable) -> tuple[int, _Alias] | None:
    u = units[i]
    hits: list[_Alias] = []
    for entry in table.by_first.get(u.word, ()):
        if hits and len(entry.words) < len(hits[0].words):
            break
        n = len(entry.words)
        seg = units[i : i + n]
        if len(seg) < n or any(s is None for s in seg):
            continue
        if tuple(s.word for s in seg) != entry.words:
            continue
        if entry.exact_case and not all(s.upper for s in seg):
            continue
        if entry.capitalised and not seg[0].text[:1].isupper():
            continue
        hits.append(entry)
    if not hits and has_cyrillic(u.text):
        # An inflected Cyrillic name ("Путина", "Кимаковского"): try its nominative forms.
        for form in cyrillic_case_variants(u.text):
            for entry in table.by_key.get(name_key(form), ()):
                if len(entry.words) == 1:
                    return 1, entry
    if not hits:
        return None
    # Several aliases fold to the same key (Kimakovsky, Кимаковский): report the one as written.
    written = " ".join(s.text for s in units[i : i + len(hits[0].words)]).lower()
    best = next((h for h in hits if h.text.lower() == written), hits[0])
    return len(best.words), best


def _ref(units, i: int, n: int, text: str, actor: Actor, matched: str) -> model.ActorRef:
    start, end = units[i].start, units[i + n - 1].end
    return model.ActorRef(
        text=text[start:end],
        name=actor.name,
        type=actor.type,
        span=(start, end),
        actor_id=actor.actor_id,
        matched=matched,
    )


def find_actors(doc) -> list[model.ActorRef]:
    """Every actor mention in a spaCy doc, in text order."""
    table = get_actor_table()
    text = doc_text(doc)
    units = _units(doc)
    refs: list[model.ActorRef] = []
    covered: set[int] = set()

    def add(i: int, n: int, actor: Actor, matched: str) -> None:
        refs.append(_ref(units, i, n, text, actor, matched))
        first, last = units[i], units[i + n - 1]
        if first is not None and last is not None:  # a match never starts or ends at punctuation
            covered.update(range(first.start, last.end))

    def free(i: int, n: int) -> bool:
        return all(u is not None and u.start not in covered for u in units[i : i + n])

    # 1. Curated aliases.
    for i, u in enumerate(units):
        if u is None or not free(i, 1):
            continue
        hit = _alias_at(units, i, table)
        if hit:
            n, entry = hit
            add(i, n, entry.actor, f"alias {entry.text}")

    # 2. Acronyms defined in the text.
    _add_acronyms(text, refs, covered, table)

    # 3. Demonym groups: demonym [modifier] noun.
    for i, u in enumerate(units):
        if u is None or not u.text[:1].isupper() or not free(i, 1):
            continue
        for n in (4, 3, 2):
            seg = units[i : i + n]
            if len(seg) < n or any(s is None for s in seg) or not free(i, n):
                continue
            g = table.group(tuple(s.word for s in seg if s is not None))
            if g:
                actor, dem, noun = g
                add(i, n, actor, f"demonym group '{dem} {noun}'")
                break

    # 4. People spaCy finds; last names point back to the full name.
    _add_named_entities(doc, refs, covered, table)
    refs.sort(key=model.text_order)
    return refs


def _add_acronyms(text: str, refs: list[model.ActorRef], covered: set[int], table: ActorTable) -> None:
    """Acronyms the text defines ("the Armed Forces of Ukraine (AFU)"): every use of the acronym
    is the actor of its long form (an organisation of its own when the table lacks it)."""
    for short, long, _short_span, long_span in find_acronym_spans(text):
        actor = table.lookup(long)
        matched = f"acronym {short} defined in the text as {long}"
        if actor is None:
            if _is_place_name(long):
                continue
            actor = Actor(f"org:{slug(long)}", long, "org")
            _add_span(refs, covered, text, long_span, actor, "long form of acronym " + short)
        for m in re.finditer(rf"(?<!\w){re.escape(short)}(?!\w)", text):
            _add_span(refs, covered, text, (m.start(), m.end()), actor, matched)


def _add_span(refs, covered, text, span, actor: Actor, matched: str) -> None:
    if any(k in covered for k in range(span[0], span[1])):
        return
    refs.append(
        model.ActorRef(
            text=text[span[0] : span[1]],
            name=actor.name,
            type=actor.type,
            span=tuple(span),
            actor_id=actor.actor_id,
            matched=matched,
        )
    )
    covered.update(range(span[0], span[1]))


def _is_place_name(name: str) -> bool:
    try:
        from claimwatch.resolve.gazetteer import get_gazetteer

        return any(c.place.is_area or c.place.slug for c in get_gazetteer().lookup(name_key(name)))
    except Exception:  # gazetteer missing: treat the long form as an organisation
        return False


def _names_a_place(name: str) -> bool:
    """spaCy labels "Donbass" and metonymic "Moscow" ORG: a town over 20,000, a region or a
    country by that name is not an organisation."""
    try:
        from claimwatch.resolve.gazetteer import get_gazetteer

        return any(
            c.place.is_area or c.place.slug or c.place.population >= 20000
            for c in get_gazetteer().lookup(name_key(name))
        )
    except Exception:  # gazetteer missing: nothing is known to be a place
        return False


def _add_named_entities(doc, refs, covered, table: ActorTable) -> None:
    # The English model's entity labels on Cyrillic text are noise: people come from the alias
    # table there.
    text = doc_text(doc)
    ents = [e for e in doc.ents if not has_cyrillic(e.text)]
    people = [e for e in ents if e.label_ == "PERSON"]
    last_names: dict[str, Actor] = {}
    for e in people:
        words = [t for t in e if t.text[:1].isupper() and t.is_alpha]
        if len(words) >= 2 and not any(k in covered for k in range(e.start_char, e.end_char)):
            person = Actor(f"person:{slug(' '.join(t.text for t in words))}", " ".join(t.text for t in words), "person")
            last_names.setdefault(name_key(words[-1].text), person)
    for e in ents:
        if any(k in covered for k in range(e.start_char, e.end_char)):
            continue
        words = [t for t in e if t.text[:1].isupper() and t.is_alpha]
        if not words or name_key(" ".join(t.text for t in words)) in table.not_actors:
            continue
        if len(words) == 1 and e.label_ == "PERSON" and _is_place_name(words[0].text):
            continue  # spaCy labels "Donbass" PERSON
        if len(words) == 1 and name_key(words[0].text) in last_names:
            actor = last_names[name_key(words[0].text)]
            matched = f"last name of {actor.name}"
        elif e.label_ == "PERSON" and len(words) >= 2:
            actor = last_names[name_key(words[-1].text)]  # filed by the loop above
            matched = "person named in the text"
        elif e.label_ == "PERSON":
            actor = Actor(f"person:{slug(words[0].text)}", words[0].text, "person")
            matched = "person named in the text"
        elif e.label_ == "ORG" and not _names_a_place(" ".join(t.text for t in words)):
            name = " ".join(t.text for t in words)
            actor = Actor(f"org:{slug(name)}", name, "org")
            matched = "organisation named in the text"
        else:
            continue
        start, end = words[0].idx, words[-1].idx + len(words[-1])
        _add_span(refs, covered, text, (start, end), actor, matched)


# ---------------------------------------------------------------------------------------------
# Names without a doc


def resolve_actor(name: str) -> Actor | None:
    """The curated actor a name denotes: an alias, a demonym group, or a person's last name."""
    if not name or not name.strip():
        return None
    table = get_actor_table()
    name = re.sub(r"^(the|a|an)\s+", "", name.strip(), flags=re.IGNORECASE)
    actor = table.lookup(name)
    if actor:
        return actor
    words = _alias_words(name)
    g = table.group(words)
    if g:
        return g[0]
    if words:
        # "President Putin", "adviser Igor Kimakovsky": the last word as a person's alias.
        for entry in table.by_key.get(words[-1], ()):
            if entry.actor.type == "person":
                return entry.actor
    return None


def resolve_source(name: str) -> str | None:
    """Actor id for a claim's source name ("Kimakovsky" -> "actor:igor-kimakovsky"), or None."""
    actor = resolve_actor(name)
    return actor.actor_id if actor else None
