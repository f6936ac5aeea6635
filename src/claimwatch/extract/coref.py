"""Who a source mention refers to: names, pronouns, nominal references, and the source type.

- Names: a surname alone ("Putin") resolves to the full name given earlier ("Vladimir Putin").
- Roles come from appositions ("Kimakovsky, an adviser to the head of the DPR") and titles
  ("Russian President Vladimir Putin"); a later definite description whose head noun matches a
  role ("The DPR adviser", "the president") resolves to that person.
- Pronouns: he/she → the nearest preceding person, preferring the subject of the nearest sentence
  that has one; they → the nearest preceding plural/group subject; it → the nearest organisation.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from claimwatch.extract.docindex import DocIndex

_PERSON_PRONOUNS = {"he", "she", "him", "her", "his", "hers"}
_PLURAL_PRONOUNS = {"they", "them", "their"}
_FIRST_PERSON = {"i", "we", "me", "us", "my", "our"}
_TITLES = {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "sen", "sen.", "rep", "rep.", "gov", "gov.",
           "gen", "gen.", "lt", "lt.", "col", "col.", "prof", "prof.", "rev", "rev.", "the"}
_ANONYMOUS_MARKERS = ("familiar with", "anonymity", "not to be named", "not authorized", "not authorised",
                      "unnamed", "anonymous", "who declined to be identified", "insider")
_ANONYMOUS_HEADS = {"source", "insider"}
_BODY_HEADS = {"ministry", "government", "department", "agency", "office", "police", "army", "military",
               "company", "firm", "council", "committee", "court", "commission", "kremlin", "administration",
               "campaign", "party", "board", "bank", "group", "union", "embassy", "parliament", "senate",
               "congress", "cabinet", "authority", "authorities", "service", "command", "headquarters",
               "newspaper", "network", "poll", "survey", "report", "study", "organization", "organisation",
               "institute", "center", "centre", "university", "corporation", "statement", "website", "team"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass"}
# common nouns that denote people: such a noun can make a claim about a plain noun phrase
_PERSON_NOUNS = set("""official spokesman spokeswoman spokesperson adviser advisor minister president
leader governor mayor senator aide analyst expert director chief executive ceo chairman chairwoman
chair commander general officer secretary lawmaker legislator candidate nominee resident witness
diplomat prosecutor judge lawyer attorney researcher economist scientist doctor author critic
activist voter supporter member representative envoy ambassador negotiator head founder owner
manager investor worker employee people person man woman observer journalist reporter
correspondent historian professor teacher student parent father mother son daughter soldier
fighter protester demonstrator citizen farmer pastor priest pope king queen prince premier
chancellor strategist pollster organizer organiser admiral colonel captain sergeant staffer
consultant insider source partner colleague friend ally opponent rival challenger incumbent
republican democrat conservative liberal""".split())
_PERSONAL_PRONOUNS = {"he", "she", "they", "we", "i", "you", "who"}


def is_animate(tok: Token) -> bool:
    """Can this subject make a claim about a plain noun phrase ("X denied the report")?"""
    if tok.lower_ in _PERSONAL_PRONOUNS:
        return True
    if tok.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") or tok.pos_ == "PROPN":
        return True
    lemma = tok.lemma_.lower()
    # plural common nouns are mostly groups of people ("surrogates", "critics")
    return lemma in _PERSON_NOUNS or lemma in _BODY_HEADS or (tok.tag_ == "NNS" and tok.ent_type_ == "")


@dataclass
class Resolved:
    name: str | None
    role: str | None
    type: str


def _strip_det(span: Span) -> str:
    toks = list(span)
    while toks and (toks[0].dep_ in ("det", "predet") or toks[0].lower_ in ("the", "a", "an")):
        toks = toks[1:]
    if not toks:
        return span.text
    return span.doc[toks[0].i:toks[-1].i + 1].text


def _person_role(ent: Span) -> tuple[str | None, str | None]:
    """(role text, role head lemma) from a title before the name or an apposition after it."""
    doc = ent.doc
    root = ent.root
    # title: "Russian President Vladimir Putin" — modifiers of the name left of the entity
    left = [t for t in root.subtree if t.i < ent.start and t.dep_ in ("compound", "amod", "nmod", "npadvmod")]
    if left:
        lo = min(t.i for t in left)
        toks = [t for t in doc[lo:ent.start] if t.lower_ not in _TITLES and not t.is_punct]
        if toks and toks[-1].pos_ in ("NOUN", "PROPN") and toks[-1].ent_type_ != "PERSON":
            return doc[toks[0].i:toks[-1].i + 1].text, toks[-1].lemma_.lower()
    # apposition: "Kimakovsky, an adviser to the head of the DPR"
    for child in root.children:
        if child.dep_ == "appos" and child.pos_ in ("NOUN", "PROPN") and child.ent_type_ != "PERSON":
            span = doc[child.left_edge.i:child.right_edge.i + 1]
            return _strip_det(span).rstrip(" ,"), child.lemma_.lower()
    if root.dep_ == "appos" and root.head.pos_ == "NOUN":
        head = root.head
        span = doc[head.left_edge.i:head.i + 1]
        return _strip_det(span), head.lemma_.lower()
    return None, None


class SourceResolver:
    """Per-document index of people, roles and groups, built once; ``resolve`` is cheap."""

    def __init__(self, doc: Doc, index: DocIndex | None = None):
        self.doc = doc
        self.index = index = index or DocIndex(doc)
        self.full_names: dict[str, str] = {}
        self.roles: dict[str, str] = {}  # name -> role text
        self.role_heads: list[tuple[int, str, str]] = []  # (char, role head lemma, name)
        people = []  # (char, name, token index of the name)
        orgs = []
        for ent in index.ents:
            if ent.label_ == "PERSON":
                name = self._canonical(ent)
                people.append((ent.start_char, name, ent.root.i))
                role, head = _person_role(ent)
                if role:
                    self.roles.setdefault(name, role)
                    self.role_heads.append((ent.start_char, head, name))
            elif ent.label_ in ("ORG", "NORP", "GPE"):
                orgs.append((ent.start_char, ent))
        self.people = people
        self._people_chars = [p[0] for p in people]
        self.orgs = orgs
        self._org_chars = [o[0] for o in orgs]

    def _canonical(self, ent: Span) -> str:
        toks = [t for t in ent if t.lower_ not in _TITLES and t.text not in ("'s", "’s")]
        name = " ".join(t.text for t in toks) if toks else ent.text
        if len(toks) > 1:
            self.full_names.setdefault(toks[-1].text, name)
            return name
        return self.full_names.get(name, name)

    # ---- pronouns ---------------------------------------------------------------------------
    def _person_before(self, char: int, sent_start: int) -> str | None:
        i = bisect.bisect_left(self._people_chars, char) - 1
        if i < 0:
            return None
        doc = self.doc
        # same sentence first: the nearest person before the pronoun
        if self.people[i][0] >= sent_start:
            return self.people[i][1]
        # then sentence by sentence backwards: its subject person, else its first person
        cur_sent = self.index.sent_of(self.people[i][2])
        group = []
        j = i
        while j >= 0 and self.people[j][0] >= cur_sent.start_char:
            group.append(self.people[j])
            j -= 1
        for _, name, tok_i in group:
            tok = doc[tok_i]
            if tok.dep_ in _SUBJECT_DEPS or (tok.dep_ == "pobj" and tok.head.lower_ == "to"
                                             and tok.head.head.lower_ == "according"):
                return name
        return group[-1][1]

    def _group_before(self, tok: Token) -> str | None:
        doc = self.doc
        sent = self.index.sent_of(tok.i)
        sents = [sent]
        if sent.start > 0:
            sents.append(self.index.sent_of(sent.start - 1))
        for s in sents:
            cands = [t for t in s if t.i < tok.i and t.dep_ in _SUBJECT_DEPS and t.tag_ in ("NNS", "NNPS")]
            if cands:
                head = cands[-1]
                return _strip_det(doc[head.left_edge.i:head.i + 1])
        return None

    def _org_before(self, char: int) -> str | None:
        i = bisect.bisect_left(self._org_chars, char) - 1
        return _strip_det(self.orgs[i][1]) if i >= 0 else None

    # ---- mentions ---------------------------------------------------------------------------
    def _nominal(self, head: Token, char: int) -> tuple[str, str] | None:
        lemma = head.lemma_.lower()
        best = None
        for pos, role_head, name in self.role_heads:
            if pos < char and role_head == lemma:
                best = name
        if best is None:
            return None
        return best, self.roles.get(best)

    def resolve(self, mention: Span, rel_head: Token | None = None) -> Resolved:
        """Resolve one source mention; call in text order so later pronouns see it."""
        resolved = self._resolve(mention, rel_head)
        if resolved.type == "person" and resolved.name and mention.root.pos_ != "PRON":
            i = bisect.bisect_left(self._people_chars, mention.start_char)
            if i >= len(self.people) or self.people[i][0] != mention.start_char:
                self.people.insert(i, (mention.start_char, resolved.name, mention.root.i))
                self._people_chars.insert(i, mention.start_char)
        return resolved

    def _resolve(self, mention: Span, rel_head: Token | None = None) -> Resolved:
        doc = self.doc
        if rel_head is not None:  # "who said …": the noun the relative clause modifies
            mention = doc[rel_head.left_edge.i:rel_head.i + 1]
        root = mention.root
        low = root.lower_
        if root.pos_ == "PRON" or low in _PERSON_PRONOUNS | _PLURAL_PRONOUNS:
            if low in _PERSON_PRONOUNS:
                name = self._person_before(mention.start_char, self.index.sent_of(root.i).start_char)
                return Resolved(name, self.roles.get(name) if name else None, "person")
            if low in _PLURAL_PRONOUNS:
                return Resolved(self._group_before(root), None, "group")
            if low == "it":
                return Resolved(self._org_before(mention.start_char), None, "body")
            if low in _FIRST_PERSON:
                return Resolved(None, None, "group" if low in ("we", "us", "our") else "person")
            return Resolved(None, None, "unknown")
        heads = [root] + [c for c in root.children if c.dep_ == "appos"]  # "His rival, Senator Amara Bello"
        ents = self.index.ents_in(mention.start, mention.end)
        persons = [e for e in ents if e.label_ == "PERSON" and any(e.start <= h.i < e.end for h in heads)]
        if persons:
            name = self._canonical(persons[0])
            role, _ = _person_role(persons[0])
            return Resolved(name, role or self.roles.get(name), "person")
        if root.pos_ == "PROPN" and (root.text in self.full_names or root.text in self.roles):
            name = self.full_names.get(root.text, root.text)  # a known person the NER missed here
            return Resolved(name, self.roles.get(name), "person")
        text = mention.text.lower()
        head_lemma = root.lemma_.lower()
        if head_lemma in _ANONYMOUS_HEADS or any(m in text for m in _ANONYMOUS_MARKERS):
            return Resolved(None, _strip_det(mention), "anonymous")
        first = mention[0].lower_
        if first in ("the", "this", "that") and root.pos_ == "NOUN" and root.tag_ == "NN":
            hit = self._nominal(root, mention.start_char)
            if hit:
                return Resolved(hit[0], hit[1], "person")
        orgs = [e for e in ents if e.label_ in ("ORG", "GPE", "NORP")]
        if head_lemma in _BODY_HEADS or (orgs and orgs[0].root == root):
            return Resolved(_strip_det(mention), None, "body")
        if root.tag_ in ("NNS", "NNPS"):
            return Resolved(_strip_det(mention), None, "group")
        if root.pos_ == "NOUN" and head_lemma in _PERSON_NOUNS | {"spokesperson", "spokesman", "spokeswoman"}:
            # "a spokesperson for the IAEA": a person known by role only
            return Resolved(None, _strip_det(mention), "person")
        return Resolved(_strip_det(mention), None, "unknown")
