"""Who a source mention refers to: names, pronouns, descriptions, and the source type.

Resolution never guesses: each rule below links a mention only to a *compatible* earlier entity,
and a mention with none stays unresolved (``name`` None, ``resolved`` False). The passes go from
the most to the least precise, in the spirit of the deterministic multi-pass sieve (Lee et al.,
Computational Linguistics 2013):

1. names: the mention holds a person's name ("deputy defence minister Olena Koval", "the
   spokesman for the General Staff … Petro Ivanenko"): the name, and the rest as the role; a
   surname alone ("Koval") → the full name given earlier; an organisation's name, its acronym
   defined in the text ("General Motors (GM)" … "GM") or its first word ("Brightline") → the
   full name;
2. documents: "the letter", "the memo", "the WHO statement" → their author (a name in the
   mention, else the subject of the sentence that introduced the document);
3. descriptions: "the MP", "the Democrat" → the person given that role; "the automaker", "the
   agency", "the unit" → the nearest earlier organisation of a compatible kind, whose name
   does not contradict the description's modifiers;
4. pronouns: he/she → the nearest person of that gender (first name, title, gendered role noun,
   or an earlier pronoun), preferring the same sentence, then each earlier sentence's subject;
   it → the nearest organisation in subject position or already a source; they → the nearest
   plural subject.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from claimwatch.extract import gender as gender_of
from claimwatch.extract.docindex import DocIndex, doc_text
from claimwatch.resolve.acronyms import find_acronyms

_PERSON_PRONOUNS = {"he", "she", "him", "her", "his", "hers"}
_PLURAL_PRONOUNS = {"they", "them", "their"}
_FIRST_PERSON = {"i", "we", "me", "us", "my", "our"}
_TITLES = {
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "dr",
    "dr.",
    "sen",
    "sen.",
    "rep",
    "rep.",
    "gov",
    "gov.",
    "gen",
    "gen.",
    "lt",
    "lt.",
    "col",
    "col.",
    "prof",
    "prof.",
    "rev",
    "rev.",
    "the",
    "miss",
    "sir",
}
_ANONYMOUS_MARKERS = (
    "familiar with",
    "anonymity",
    "not to be named",
    "not authorized",
    "not authorised",
    "unnamed",
    "anonymous",
    "who declined to be identified",
    "insider",
)
_ANONYMOUS_HEADS = {"source", "insider"}
_BODY_HEADS = {
    "ministry",
    "government",
    "department",
    "agency",
    "office",
    "police",
    "army",
    "military",
    "company",
    "firm",
    "council",
    "committee",
    "court",
    "commission",
    "kremlin",
    "administration",
    "campaign",
    "party",
    "board",
    "bank",
    "group",
    "union",
    "embassy",
    "parliament",
    "senate",
    "congress",
    "cabinet",
    "authority",
    "authorities",
    "service",
    "command",
    "headquarters",
    "newspaper",
    "network",
    "poll",
    "survey",
    "report",
    "study",
    "organization",
    "organisation",
    "institute",
    "center",
    "centre",
    "university",
    "corporation",
    "statement",
    "website",
    "team",
}
_SUBJECT_DEPS = {"nsubj", "nsubjpass"}
# common nouns that denote people: such a noun can make a claim about a plain noun phrase
_PERSON_NOUNS = set(
    """official spokesman spokeswoman spokesperson adviser advisor minister president
leader governor mayor senator aide analyst expert director chief executive ceo chairman chairwoman
chair commander general officer secretary lawmaker legislator candidate nominee resident witness
diplomat prosecutor judge lawyer attorney researcher economist scientist doctor author critic
activist voter supporter member representative envoy ambassador negotiator head founder owner
manager investor worker employee people person man woman observer journalist reporter
correspondent historian professor teacher student parent father mother son daughter soldier
fighter protester demonstrator citizen farmer pastor priest pope king queen prince premier
chancellor strategist pollster organizer organiser admiral colonel captain sergeant staffer
consultant insider source partner colleague friend ally opponent rival challenger incumbent
republican democrat conservative liberal mp deputy councillor councilor""".split()
)
_PERSONAL_PRONOUNS = {"he", "she", "they", "we", "i", "you", "who"}

# Kinds of organisation, from a description's head noun or words of a name. A description links
# only to an organisation of the same kind, or to one whose kind is unknown.
_ORG_KINDS = {
    "business": "company firm automaker carmaker maker manufacturer retailer insurer airline producer "
    "operator developer utility brokerage giant conglomerate startup business corp corporation "
    "planemaker chipmaker drugmaker steelmaker miner exporter carrier shipper brewer grocer "
    "supermarket chain platform "
    "inc ltd llc plc co motor motors software systems technologies industries holdings",
    "bank": "bank lender",
    "public": "agency ministry department regulator watchdog authority commission office administration "
    "government organization organisation council service inspectorate",
    "military": "unit brigade battalion regiment army force forces corps division command staff",
    "union": "union alliance federation association guild",
    "media": "outlet newspaper broadcaster channel paper",
    "party": "party",
}
_KIND_OF_WORD = {w: kind for kind, words in _ORG_KINDS.items() for w in words.split()}
# heads that make a definite description of an organisation ("the automaker", "the unit")
_ORG_DESCRIPTION_HEADS = frozenset(_KIND_OF_WORD) - {
    "corp",
    "inc",
    "ltd",
    "llc",
    "plc",
    "co",
    "motor",
    "motors",
    "software",
    "systems",
    "technologies",
    "industries",
    "holdings",
    "staff",
    "command",
    "government",
} | {"group"}
# documents whose "said" is their author's: "the letter said", "the memo said"
_DOCUMENT_HEADS = frozenset(
    "letter memo statement announcement email e-mail release note message post "
    "communique notice filing complaint lawsuit".split()
)
_MAX_SENTENCES_BACK = 12
_GROUP_OF = frozenset("group coalition band handful number majority".split())


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
    resolved: bool = True


@dataclass
class _Entity:
    name: str
    kind: str  # "person" | "org"
    gender: str | None = None
    role: str | None = None
    role_heads: set = field(default_factory=set)
    org_kind: str | None = None
    words: set = field(default_factory=set)  # lower-case words of the name and its descriptions
    salient: bool = False  # once a subject or a source: unknown-kind organisations need it


@dataclass
class _Mention:
    char: int
    tok: int
    entity: _Entity
    subject: bool


_DETERMINERS = {"the", "a", "an", "its", "his", "her", "their", "our", "my", "your"}


def _strip_det(span: Span) -> str:
    toks = list(span)
    while toks and (toks[0].dep_ in ("det", "predet") or toks[0].lower_ in _DETERMINERS):
        toks = toks[1:]
    if not toks:
        return span.text
    return span.doc[toks[0].i : toks[-1].i + 1].text


def _clean_name(text: str) -> str:
    """An organisation's name as written, without "the", a possessive or a "(WHO)" definition."""
    text = re.sub(r"\s*\([^()]*\)?\s*$", "", text.strip())
    text = re.sub(r"['’]s$", "", text)
    return re.sub(r"^(the|a|an)\s+", "", text, flags=re.IGNORECASE).strip(" ,")


_CORPORATE_SUFFIXES = frozenset("inc inc. corp corp. ltd ltd. llc plc co co. ag sa nv".split())


def _org_ent_name(ent: Span) -> str:
    """An ORG entity's name, with the corporate suffix the NER tends to leave out ("Inc")."""
    end = ent.end
    if end < len(ent.doc) and ent.doc[end].lower_ in _CORPORATE_SUFFIXES:
        end += 1
    return _clean_name(ent.doc[ent.start : end].text)


def _org_kind(words) -> str | None:
    for w in reversed(list(words)):
        kind = _KIND_OF_WORD.get(w.lower())
        if kind:
            return kind
    return None


def _name_tokens(head: Token) -> list[Token] | None:
    """The proper-noun run a name is written with ("Petro Ivanenko": the head and its adjacent
    compound proper nouns), or None when the head is not a capitalised proper noun."""
    if head.pos_ != "PROPN" or not head.text[:1].isupper():
        return None
    toks = [head]
    i = head.i - 1
    while (
        i >= 0
        and head.doc[i].head.i == head.i
        and head.doc[i].dep_ == "compound"
        and head.doc[i].pos_ == "PROPN"
        and head.doc[i].text[:1].isupper()
    ):
        toks.insert(0, head.doc[i])
        i -= 1
    return toks


def _with_first_name(ent: Span) -> Span:
    """A PERSON entity with the first name the NER left in the title ("Defence Minister
    [Rustem] Umerov"): known first names written as compounds right before it."""
    start = ent.start
    doc = ent.doc
    while (
        start > 0
        and doc[start - 1].pos_ == "PROPN"
        and doc[start - 1].dep_ == "compound"
        and ent.start <= doc[start - 1].head.i < ent.end
        and gender_of.name_gender(doc[start - 1].text)
    ):
        start -= 1
    return doc[start : ent.end] if start < ent.start else ent


def _person_role(ent: Span) -> tuple[str | None, str | None]:
    """(role text, role head lemma) from a title before the name or an apposition after it."""
    doc = ent.doc
    root = ent.root
    # title: "Russian President Vladimir Putin" — modifiers of the name left of the entity
    left = [t for t in root.subtree if t.i < ent.start and t.dep_ in ("compound", "amod", "nmod", "npadvmod")]
    if left:
        lo = min(t.i for t in left)
        toks = [t for t in doc[lo : ent.start] if t.lower_ not in _TITLES and not t.is_punct]
        if toks and toks[-1].pos_ in ("NOUN", "PROPN") and toks[-1].ent_type_ != "PERSON":
            return doc[toks[0].i : toks[-1].i + 1].text, toks[-1].lemma_.lower()
    # apposition: "Kimakovsky, an adviser to the head of the DPR"
    for child in root.children:
        if child.dep_ == "appos" and child.pos_ in ("NOUN", "PROPN") and child.ent_type_ != "PERSON":
            span = doc[child.left_edge.i : child.right_edge.i + 1]
            return _strip_det(span).rstrip(" ,"), child.lemma_.lower()
    if root.dep_ == "appos" and root.head.pos_ == "NOUN":
        # "the head of the regional military administration, Ivan Fedorov": the noun's phrase
        # without the name
        head = root.head
        lo, hi = head.left_edge.i, head.i + 1
        for t in head.rights:
            if t.i >= root.left_edge.i:
                break
            if not t.is_punct:
                hi = t.right_edge.i + 1
        return _strip_det(doc[lo:hi]).rstrip(" ,"), head.lemma_.lower()
    return None, None


class SourceResolver:
    """Per-document entities and their mentions, built once; ``resolve`` is cheap and, called
    in text order, adds each resolved source as a mention later pronouns can refer to."""

    def __init__(self, doc: Doc, index: DocIndex | None = None):
        self.doc = doc
        self.index = index = index or DocIndex(doc)
        self.acronyms = find_acronyms(doc_text(doc))
        self.people: dict[str, _Entity] = {}
        self.orgs: dict[str, _Entity] = {}
        self.surnames: dict[str, list[str]] = {}  # surname -> full names, in text order
        self.mentions: list[_Mention] = []
        self._chars: list[int] = []
        for ent in index.ents:
            if ent.label_ == "PERSON":
                entity = self._person(ent)
                if entity is not None:
                    self._add_mention(ent.root, entity)
            elif ent.label_ == "ORG":
                entity = self._org(_org_ent_name(ent), ent)
                if entity is not None:
                    self._add_mention(ent.root, entity)
        for tok in doc:  # "PiS" after "Law and Justice (PiS)", whatever the NER made of it
            if tok.text in self.acronyms and tok.pos_ == "PROPN" and tok.ent_type_ not in ("ORG", "PERSON", "GPE"):
                entity = self._org(tok.text)
                if entity is not None:
                    self._add_mention(tok, entity)

    # ---- entities ---------------------------------------------------------------------------
    def _person(self, ent: Span, role_span: tuple[str | None, str | None] | None = None) -> _Entity | None:
        ent = _with_first_name(ent)
        toks = [
            t
            for t in ent
            if t.lower_ not in _TITLES and t.text not in ("'s", "’s") and not (t.is_punct and t.text != "-")
        ]  # "Okonjo-Bell" keeps its hyphen
        if not toks:
            return None
        prev = ent.doc[ent.start - 1] if ent.start > 0 else None
        around = ([prev] if prev is not None else []) + list(ent)
        title = next((g for g in (gender_of.title_gender(t.text) for t in around) if g), None)
        if len(toks) == 1 and toks[0].text in self.surnames:
            name = self._by_surname(toks[0].text, title)
            if name is None:  # "Mrs Harper" when only John Harper was named in full
                name = " ".join(
                    t.text for t in ([prev] if prev is not None and gender_of.title_gender(prev.text) else []) + toks
                )
        elif len(toks) == 1 and toks[0].text in self.orgs:
            return None
        else:
            contiguous = toks[-1].i - toks[0].i == len(toks) - 1
            name = ent.doc[toks[0].i : toks[-1].i + 1].text if contiguous else " ".join(t.text for t in toks)
            if len(toks) > 1 and name not in self.surnames.setdefault(toks[-1].text, []):
                self.surnames[toks[-1].text].append(name)
        entity = self.people.get(name)
        if entity is None:
            entity = self.people[name] = _Entity(name, "person")
            if len(toks) > 1:
                entity.gender = gender_of.name_gender(toks[0].text)
        if title and entity.gender is None:
            entity.gender = title
        role, head = role_span or _person_role(ent)
        if role:
            # a role split from a source mention ("the head of … Vadym Filashkin") is better
            # than one guessed from the NER's entity
            entity.role = role if role_span else entity.role or role
            entity.role_heads.add(head)
            entity.role_heads.update(w.lower() for w in role.split() if w[:1].isalpha())
            g = gender_of.role_gender(head or "")
            if g and entity.gender is None:
                entity.gender = g
        return entity

    def _by_surname(self, surname: str, gender: str | None) -> str | None:
        """The person named in full earlier with this surname: of a title's gender when given
        ("Mrs Harper" after John and Margaret Harper), else the one named last."""
        names = [
            n
            for n in self.surnames.get(surname, ())
            if not gender or self.people.get(n) is None or self.people[n].gender in (None, gender)
        ]
        return names[-1] if names else None

    def _org(self, name: str, span: Span | None = None) -> _Entity | None:
        name = _clean_name(name)
        if not name or not any(c.isalpha() for c in name):
            return None
        name = self._org_name(name)
        entity = self.orgs.get(name)
        if entity is None:
            words = name.split()
            entity = self.orgs[name] = _Entity(name, "org", org_kind=_org_kind(words))
            entity.words.update(w.lower() for w in words)
        if span is not None:  # "Veltrax, the battery maker": the apposition describes it
            for child in span.root.children:
                if child.dep_ == "appos" and child.pos_ == "NOUN":
                    entity.words.update(t.lower_ for t in child.subtree if t.is_alpha)
                    entity.org_kind = entity.org_kind or _org_kind([child.lemma_])
        return entity

    def _org_name(self, name: str) -> str:
        """Canonical form: an acronym the text defines → its long form; a first word or a
        shorter form of an organisation named earlier → that name."""
        long = self.acronyms.get(name)
        if long:  # "SEC" → "U.S. Securities and Exchange Commission" when the text named it so
            return next((full for full in self.orgs if full.endswith(" " + long)), long)
        if name in self.orgs:
            return self.orgs[name].name
        for full in self.orgs:
            if full.startswith(name + " ") and full.split()[0] == name.split()[0]:
                return full
        return name

    def _add_mention(self, tok: Token, entity: _Entity, char: int | None = None) -> None:
        char = tok.idx if char is None else char
        i = bisect.bisect_left(self._chars, char)
        if i < len(self.mentions) and self._chars[i] == char and self.mentions[i].entity is entity:
            return
        subject = tok.dep_ in _SUBJECT_DEPS or _is_according_source(tok)
        entity.salient = entity.salient or subject
        self.mentions.insert(i, _Mention(char, tok.i, entity, subject))
        self._chars.insert(i, char)

    # ---- search backwards -------------------------------------------------------------------
    def _before(self, char: int, sent_start_char: int, accept) -> _Entity | None:
        """The nearest accepted entity before ``char``: in the same sentence the nearest one;
        in each earlier sentence the subject of its main clause first (the one who speaks in
        "The SEC said Boeing had misled investors"), then any subject, else its first mention."""
        i = bisect.bisect_left(self._chars, char) - 1
        same = []
        while i >= 0 and self.mentions[i].char >= sent_start_char:
            same.append(self.mentions[i])
            i -= 1
        for m in same:
            if accept(m.entity):
                return m.entity
        sentences = 0
        while i >= 0 and sentences < _MAX_SENTENCES_BACK:
            sent = self.index.sent_of(self.mentions[i].tok)
            group = []
            while i >= 0 and self.mentions[i].char >= sent.start_char:
                group.append(self.mentions[i])
                i -= 1
            sentences += 1
            ok = [m for m in group if accept(m.entity)]
            subjects = [m for m in ok if m.subject]
            main = [m for m in subjects if self.doc[m.tok].head.dep_ == "ROOT"]
            if main or subjects:
                return (main or subjects)[0].entity
            if ok:
                return ok[-1].entity
        return None

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
                return _strip_det(doc[head.left_edge.i : head.i + 1])
        return None

    def _sents_before(self, i: int) -> list[Span]:
        """The sentence holding token ``i`` and up to _MAX_SENTENCES_BACK before it, nearest first."""
        sents = self.index.sents
        k = bisect.bisect_right(sents, i, key=lambda s: s.start) - 1
        return sents[max(0, k - _MAX_SENTENCES_BACK) : k + 1][::-1]

    # ---- mentions ---------------------------------------------------------------------------
    def resolve(self, mention: Span, rel_head: Token | None = None) -> Resolved:
        """Resolve one source mention; call in text order so later pronouns see it."""
        resolved, entity = self._resolve(mention, rel_head)
        for ent in self.index.ents_in(mention.start, mention.end):
            if ent.label_ == "ORG":  # "a spokesperson for the Hospital Association" speaks for it
                org = self.orgs.get(self._org_name(_org_ent_name(ent)))
                if org is not None:
                    org.salient = True
        if entity is not None:
            self._add_mention(mention.root, entity, mention.start_char)
            if mention.root.lower_ in ("he", "she") and entity.gender is None:
                entity.gender = gender_of.PRONOUN_GENDER[mention.root.lower_]
        return resolved

    def _resolve(self, mention: Span, rel_head: Token | None = None) -> tuple[Resolved, _Entity | None]:
        if rel_head is not None:  # "who said …": the noun the relative clause modifies
            mention = self.doc[rel_head.left_edge.i : rel_head.i + 1]
        root = mention.root
        sent = self.index.sent_of(root.i)
        if root.pos_ == "PRON" or root.lower_ in _PERSON_PRONOUNS | _PLURAL_PRONOUNS:
            return self._pronoun(mention, root, sent)
        # the passes, most precise first; the last one always answers
        for sieve in (self._described_org, self._named_person, self._anonymous, self._description, self._by_head):
            hit = sieve(mention, root, sent)
            if hit is not None:
                return hit
        raise AssertionError("_by_head always answers")

    def _described_org(self, mention: Span, root: Token, sent: Span) -> tuple[Resolved, _Entity | None] | None:
        """ "Veltrax, the battery maker", "Yorkshire Water, which runs the sewers": an
        organisation, whatever label the NER gave it."""
        if (
            root.pos_ != "PROPN"
            or root.ent_type_ not in ("", "ORG", "PERSON")
            or not any(
                (c.dep_ == "appos" and c.pos_ == "NOUN" and c.lemma_.lower() in _ORG_DESCRIPTION_HEADS)
                or (c.dep_ == "relcl" and c.left_edge.lower_ == "which")
                for c in root.children
            )
        ):
            return None
        entity = self._named_org(mention, root) or self._org(
            " ".join(t.text for t in _name_tokens(root) or [root]), mention
        )
        if entity is None:
            return None
        return Resolved(entity.name, None, "body"), entity

    @staticmethod
    def _anonymous(mention: Span, root: Token, sent: Span) -> tuple[Resolved, None] | None:
        """ "a source familiar with the matter", "an official … speaking on condition of anonymity"."""
        text = mention.text.lower()
        head_lemma = root.lemma_.lower()
        if (
            head_lemma in _ANONYMOUS_HEADS
            or any(m in text for m in _ANONYMOUS_MARKERS)
            or (
                root.pos_ == "NOUN"
                and head_lemma in _PERSON_NOUNS
                and mention[0].lower_ in ("a", "an")
                and any(m in sent.text.lower() for m in _ANONYMOUS_MARKERS)
            )
        ):
            return Resolved(None, _strip_det(mention), "anonymous"), None
        return None

    def _description(self, mention: Span, root: Token, sent: Span) -> tuple[Resolved, _Entity | None] | None:
        """A definite description: a document, a person's role, a kind of organisation."""
        head_lemma = root.lemma_.lower()
        if mention[0].lower_ not in ("the", "this", "that"):
            return None
        if head_lemma in _DOCUMENT_HEADS:
            return self._document(mention, root, sent)
        if (root.pos_ == "NOUN" or head_lemma in _PERSON_NOUNS) and not self._has_name(mention, root):
            hit: tuple[Resolved, _Entity | None] | None = self._person_description(mention, root)
            if hit is None and head_lemma in _ORG_DESCRIPTION_HEADS and root.tag_ in ("NN", "NNP"):
                hit = self._org_description(mention, root)
            return hit
        return None

    def _by_head(self, mention: Span, root: Token, sent: Span) -> tuple[Resolved, _Entity | None]:
        """What the head says: a named organisation, a group, a body, a person known by role only."""
        head_lemma = root.lemma_.lower()
        definite = mention[0].lower_ in ("the", "this", "that")
        org = self._named_org(mention, root)
        if org is not None:
            return Resolved(org.name, None, "body"), org
        if head_lemma in _GROUP_OF and any(
            c.dep_ == "prep" and c.lower_ == "of" and any(g.tag_ in ("NNS", "NNPS") for g in c.children)
            for c in root.children
        ):
            entity = self._org(_strip_det(mention))  # "a group of lawmakers", later "the group"
            return Resolved(_strip_det(mention), None, "group"), entity
        if head_lemma in _BODY_HEADS or (head_lemma in _ORG_DESCRIPTION_HEADS and root.tag_ in ("NN", "NNP")):
            entity = self._org(_strip_det(mention)) if definite or root.pos_ == "PROPN" else None
            return Resolved(_strip_det(mention), None, "body"), entity
        if root.tag_ in ("NNS", "NNPS"):
            return Resolved(_strip_det(mention), None, "group"), None
        if root.pos_ == "NOUN" and head_lemma in _PERSON_NOUNS:
            # "a spokesperson for the IAEA": a person known by role only; "the general" with no
            # one given that role before: someone the text named, but not recognisably
            anaphoric = definite and not any(
                c.i > root.i and c.dep_ in ("prep", "appos", "relcl", "acl") for c in root.children
            )
            return Resolved(None, _strip_det(mention), "person", resolved=not anaphoric), None
        if (
            root.pos_ == "PROPN"
            and root.ent_type_ in ("", "ORG")
            and root.text[:1].isupper()
            and (definite or root.ent_type_ == "ORG" or _KIND_OF_WORD.get(root.lower_))
        ):
            # "the General Staff of the Armed Forces of Ukraine", "Babel": a named body the NER
            # missed or cut short; later "it" and "the agency" may refer to it
            entity = self._org(_strip_det(mention))
            if entity is not None:
                return Resolved(entity.name, None, "body"), entity
        return Resolved(_strip_det(mention), None, "unknown"), None

    def _pronoun(self, mention: Span, root: Token, sent: Span) -> tuple[Resolved, _Entity | None]:
        low = root.lower_
        if low in _PERSON_PRONOUNS:
            want = gender_of.PRONOUN_GENDER[low]
            entity = self._before(
                mention.start_char, sent.start_char, lambda e: e.kind == "person" and e.gender in (None, want)
            )
            if entity is None:
                return Resolved(None, None, "person", resolved=False), None
            return Resolved(entity.name, entity.role, "person"), entity
        if low in _PLURAL_PRONOUNS:
            group = self._group_before(root)
            return Resolved(group, None, "group", resolved=group is not None), None
        if low == "it":
            entity = self._before(mention.start_char, sent.start_char, lambda e: e.kind == "org")
            if entity is None:
                return Resolved(None, None, "body", resolved=False), None
            return Resolved(entity.name, None, "body"), entity
        if low in _FIRST_PERSON:
            return Resolved(None, None, "group" if low in ("we", "us", "our") else "person", resolved=False), None
        return Resolved(None, None, "unknown", resolved=False), None

    def _named_person(self, mention: Span, root: Token, sent: Span | None = None) -> tuple[Resolved, _Entity] | None:
        """A person's name in the mention: as the head or its apposition ("His rival, Senator
        Amara Bello"), after a role ("the spokesman for the General Staff … Petro Ivanenko"), or
        a surname the text gave in full earlier."""
        doc = self.doc
        heads = [root] + [c for c in root.children if c.dep_ == "appos"]
        ents = self.index.ents_in(mention.start, mention.end)
        persons = [e for e in ents if e.label_ == "PERSON" and any(e.start <= h.i < e.end for h in heads)]
        if persons:
            entity = self._person(persons[0])
            if entity is not None:
                role, _ = _person_role(_with_first_name(persons[0]))
                return Resolved(entity.name, role or entity.role, "person"), entity
        appos = next(
            (c for c in root.children if c.dep_ == "appos" and c.pos_ == "NOUN" and c.lemma_.lower() in _PERSON_NOUNS),
            None,
        )
        toks = _name_tokens(root) if appos is not None else None
        if toks and appos is not None:  # "Oleksandra Ustinova, an opposition lawmaker": a person, whatever the NER said
            role = _strip_det(doc[appos.left_edge.i : appos.right_edge.i + 1]).rstrip(" ,")
            entity = self._person(doc[toks[0].i : toks[-1].i + 1], (role, appos.lemma_.lower()))
            if entity is not None:
                return Resolved(entity.name, role, "person"), entity
        if root.pos_ == "NOUN" and root.lemma_.lower() in _PERSON_NOUNS:
            # a role noun with the name in apposition, the NER having missed or mislabelled it
            for child in root.children:
                if child.dep_ != "appos" or child.i < root.i:
                    continue
                toks = _name_tokens(child)
                if toks and len(toks) >= 2 and child.right_edge.i == child.i:
                    span = doc[toks[0].i : toks[-1].i + 1]
                    lo = mention.start
                    role = _strip_det(doc[lo : toks[0].i]).rstrip(" ,") if toks[0].i > lo else None
                    entity = self._person(span, (role, root.lemma_.lower()) if role else None)
                    if entity is not None:
                        return Resolved(entity.name, role or entity.role, "person"), entity
            hit = self._glued_name(mention, root)
            if hit is not None:
                return hit
        if root.pos_ == "PROPN" and root.text in self.surnames:  # a known person the NER missed here
            prev = doc[root.i - 1] if root.i > 0 else None
            title = gender_of.title_gender(prev.text) if prev is not None else None
            known = self._by_surname(root.text, title)
            entity = self.people.get(known) if known is not None else None
            if entity is not None:
                return Resolved(entity.name, entity.role, "person"), entity
        return None

    def _glued_name(self, mention: Span, root: Token) -> tuple[Resolved, _Entity] | None:
        """ "… of Ukraine Dmytro Pletenchuk": the name glued to the organisation; it starts at a
        known first name in the mention's final run of proper nouns."""
        doc = self.doc
        run: list[Token] = []
        for t in reversed(mention):
            if t.pos_ != "PROPN" or not t.text[:1].isupper():
                break
            run.insert(0, t)
        start = next((t for t in run[:-1] if gender_of.name_gender(t.text)), None)
        if start is not None and start.i > mention.start + 1:
            span = doc[start.i : mention.end]
            role = _strip_det(doc[mention.start : start.i]).rstrip(" ,")
            entity = self._person(span, (role, root.lemma_.lower()))
            if entity is not None:
                return Resolved(entity.name, role, "person"), entity
        return None

    def _has_name(self, mention: Span, root: Token) -> bool:
        return any(
            e.start <= root.i < e.end
            for e in self.index.ents_in(mention.start, mention.end)
            if e.label_ in ("ORG", "PERSON")
        )

    def _named_org(self, mention: Span, root: Token) -> _Entity | None:
        """An organisation named by the mention: an ORG entity holding its head ("rival Corelink
        Systems", "The Association of Freight Carriers, an industry group"), or an acronym."""
        for e in self.index.ents_in(mention.start, mention.end):
            if e.label_ == "ORG" and e.start <= root.i < e.end:
                return self._org(_org_ent_name(e), e)
        if root.pos_ == "PROPN" and (root.text in self.acronyms or root.text in self.orgs):
            return self._org(root.text)
        return None

    def _person_description(self, mention: Span, root: Token) -> tuple[Resolved, _Entity] | None:
        """ "the MP", "The Democrat", "the president": the person last given that role."""
        lemma = root.lemma_.lower()
        entity = self._before(
            mention.start_char,
            self.index.sent_of(root.i).start_char,
            lambda e: e.kind == "person" and (lemma in e.role_heads or root.lower_ in e.role_heads),
        )
        if entity is None:
            return None
        return Resolved(entity.name, entity.role, "person"), entity

    def _org_description(self, mention: Span, root: Token) -> tuple[Resolved, _Entity | None] | None:
        """ "the Detroit automaker", "the agency", "the unit": the nearest earlier organisation
        of a compatible kind whose name or description does not contradict the modifiers."""
        kind = _KIND_OF_WORD.get(root.lemma_.lower())
        modifiers = [
            t
            for t in mention
            if t.i < root.i and t.dep_ in ("compound", "amod", "nmod") and t.is_alpha and t.lower_ not in ("based",)
        ]

        def compatible(e: _Entity) -> bool:
            if e.kind != "org" or e.name.lower() == _strip_det(mention).lower():
                return False
            if kind and e.org_kind and e.org_kind != kind and not (kind == "business" and e.org_kind == "bank"):
                return False
            if (e.org_kind is None or kind is None) and not e.salient:
                return False  # an ORG the text never had speak or act ("COVID-19") is no antecedent
            if kind == "business" and e.org_kind in ("business", "bank"):
                return True  # "the social media giant", "the world's largest miner": descriptions of
                # a company are anaphoric; a second company is named, not described
            # a modifier must be a place ("the Detroit automaker", "the San Francisco-based
            # company") or a word of the organisation's name or description ("the software maker"):
            # "the port authority" after "the city council" is another body
            return all(
                t.ent_type_ in ("GPE", "LOC", "NORP")
                or t.lower_ in e.words
                or (t.head.lower_ == "based" or t.nbor(1).text == "-")
                for t in modifiers
            )

        entity = self._before(mention.start_char, self.index.sent_of(root.i).start_char, compatible)
        if entity is not None:
            return Resolved(entity.name, None, "body"), entity
        if modifiers:
            return None  # "the consumer safety agency", "the port authority": a body named so
        return Resolved(None, _strip_det(mention), "body", resolved=False), None

    def _document(self, mention: Span, root: Token, sent: Span) -> tuple[Resolved, _Entity | None]:
        """ "The letter said", "The WHO statement said": the document's author."""
        doc = self.doc
        for child in root.children:  # a named author: "The WHO statement", "the company's memo"
            if child.dep_ in ("compound", "poss") and child.pos_ == "PROPN":
                span = doc[child.left_edge.i : child.i + 1]
                resolved, entity = self._resolve(span)
                if resolved.name:
                    return Resolved(resolved.name, resolved.role, resolved.type), entity
        lemma = root.lemma_.lower()
        for prev in self._sents_before(root.i):
            if not any(t.lemma_.lower() == lemma and t.pos_ == "NOUN" for t in prev if t.i < root.i):
                continue
            subj = next((t for t in prev if t.dep_ in _SUBJECT_DEPS and t.head.dep_ == "ROOT"), None)
            if subj is None or subj.lemma_.lower() == lemma:
                continue
            resolved, entity = self._resolve(doc[subj.left_edge.i : subj.right_edge.i + 1])
            if resolved.name:
                return Resolved(resolved.name, resolved.role, resolved.type), entity
            break
        return Resolved(None, _strip_det(mention), "body", resolved=False), None


def _is_according_source(tok: Token) -> bool:
    return tok.dep_ == "pobj" and tok.head.lower_ == "to" and tok.head.head.lower_ == "according"
