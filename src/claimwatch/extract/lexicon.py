"""Curated lexicon of attribution cues: reporting verbs, nouns and hedges, with their classes.

Classes say what kind of attribution a cue introduces:
speech (say, tell, state), assertion (claim, insist, argue), denial (deny, reject, dispute),
warning, accusation, belief (believe, think, fear), intention (plan, vow, promise),
evidence (show, find, indicate), description ("describe X as Y", "frame X as Y", "call X Y").

``frames`` says which complements carry a proposition for that cue, so "He said goodbye to his
family" (say + a plain noun object) is not a claim while "She denied the allegations" is:
- ``clause``: a that-clause, a quote or a reported clause ("said (that) …", "…, she said");
- ``np``: a noun-phrase object ("confirmed the deaths", "denied the report");
- ``as``: object + "as"/predicate ("described the strategy as methodical", "called it a hoax");
- ``inf``: a to-infinitive ("vowed to fight", "is said to be", "told them to leave");
- ``prep``: the object of a fixed preposition, which PolNeAR puts in the cue ("complained about
  the mic", "spoke of the legacy", "warned against hackers"); see ``PREP_CUES``.
"""

from __future__ import annotations

from dataclasses import dataclass

SPEECH, ASSERTION, DENIAL, WARNING, ACCUSATION = "speech", "assertion", "denial", "warning", "accusation"
BELIEF, INTENTION, EVIDENCE, DESCRIPTION = "belief", "intention", "evidence", "description"
STANCE, APPEARANCE = "stance", "appearance"
OPEN = "open"  # a verb outside the lexicon that takes a that-clause ("Democrats fret that …")


@dataclass(frozen=True)
class CueEntry:
    lemma: str
    cls: str
    frames: frozenset


def _entries(cls: str, frames: str, lemmas: str) -> list:
    fs = frozenset(frames.split())
    return [CueEntry(lemma, cls, fs) for lemma in lemmas.split()]


def _merge(*groups: list) -> dict:
    """One entry per lemma: the first class listed, the union of all frames."""
    out: dict[str, CueEntry] = {}
    for group in groups:
        for e in group:
            prev = out.get(e.lemma)
            out[e.lemma] = e if prev is None else CueEntry(e.lemma, prev.cls, prev.frames | e.frames)
    return out


REPORTING_VERBS: dict[str, CueEntry] = _merge(
    _entries(
        SPEECH,
        "clause",
        "say tell write add reply respond answer explain recall "
        "comment remark tweet post testify quip joke shout chant sing whisper exclaim "
        "ask muse",
    ),
    _entries(
        SPEECH,
        "clause np",
        "state note mention report announce disclose reveal declare "
        "confirm acknowledge admit concede stress emphasize emphasise highlight underline "
        "point observe indicate specify cite repeat reiterate echo predict "
        "estimate forecast",
    ),
    _entries(
        ASSERTION,
        "clause np",
        "claim insist argue maintain contend assert allege "
        "suggest propose counter hint imply concede agree complain lament boast brag "
        "acknowledge recognize recognise",
    ),
    _entries(DENIAL, "clause np", "deny dismiss reject dispute refute contest rebut disavow"),
    _entries(WARNING, "clause np inf", "warn caution threaten"),
    _entries(ACCUSATION, "clause np", "accuse charge criticize criticise condemn slam blast attack praise credit"),
    _entries(
        BELIEF,
        "clause",
        "believe think feel fear hope expect suspect doubt worry "
        "assume guess reckon know understand conclude decide agree",
    ),
    _entries(
        INTENTION, "clause inf np", "promise pledge vow vouch want urge demand call ask offer propose threaten swear"
    ),
    _entries(EVIDENCE, "clause np", "show find indicate suggest reveal confirm demonstrate conclude"),
    _entries(SPEECH, "clause np", "reference invoke cite liken compare document identify continue"),
    _entries(
        STANCE,
        "np clause",
        "support endorse oppose defend denounce question "
        "mock ridicule praise applaud welcome criticize criticise attack slam blast condemn",
    ),
    _entries(INTENTION, "inf", "decline seek agree hope vote tell"),
    _entries(APPEARANCE, "inf", "seem appear"),
    _entries(SPEECH, "np", "mention explain detail echo outline discuss"),
    _entries(DESCRIPTION, "np", "describe"),
    _entries(INTENTION, "inf", "plan intend aim encourage"),
    _entries(STANCE, "np", "promote tout champion"),
    _entries(SPEECH, "prep", "speak talk complain brag boast joke comment weigh"),
    _entries(BELIEF, "prep", "worry care"),
    _entries(
        DESCRIPTION,
        "as clause",
        "describe frame call label brand characterize characterise portray depict dub term paint view regard",
    ),
)

# Prepositions that belong to the cue when their object is the content ("complained about X").
PREP_CUES: dict[str, frozenset] = {
    lemma: frozenset(preps.split())
    for lemma, preps in {
        "speak": "of about against",
        "talk": "about of",
        "complain": "about of",
        "brag": "about of",
        "boast": "about of",
        "joke": "about of",
        "comment": "on",
        "weigh": "in on",
        "worry": "about",
        "care": "about",
        "warn": "against about of",
        "know": "about of",
        "agree": "on with",
        "ask": "about",
        "decide": "against on",
        "argue": "for against",
        "call": "for on",
        "point": "to out",
        "insist": "on",
        "testify": "about on",
    }.items()
}

# Verbs that PolNeAR joins to the cue of their infinitive or gerund ("refused to disclose",
# "appeared to suggest", "went on to say", "keeps saying").
CATENATIVES = frozenset("appear seem refuse continue go have resist keep begin start fail".split())

# Adjectives of belief or resolve after "be" ("we are convinced that …", "she was sure …",
# "has been critical of Trump", "were willing to go forward"): PolNeAR counts these as cues.
BELIEF_ADJECTIVES = frozenset(
    "sure certain convinced confident afraid worried concerned fearful "
    "hopeful optimistic pessimistic skeptical sceptical doubtful critical "
    "determined willing eager unsure uncertain adamant aware passionate "
    "supportive wary".split()
)
# Their prepositions, part of the cue like PREP_CUES ("critical of", "worried about").
BELIEF_ADJECTIVE_PREPS = frozenset("of about over".split())

# Object nouns that turn a light verb into a stance ("expressed misgivings about X", "raised
# questions about X", "made the case for X", "took offense at X"), and their prepositions.
ATTITUDE_OBJECTS = frozenset(
    "concern misgiving reservation outrage doubt question skepticism "
    "scepticism frustration anger dismay alarm objection case condemnation "
    "criticism offense offence illusion fear confidence optimism "
    "disappointment opposition support praise sympathy".split()
)
ATTITUDE_PREPS = frozenset("about over of for at on against".split())

# Verbs whose that-clause is a consequence or a requirement, not anyone's claim.
NON_ATTRIBUTING_VERBS = frozenset(
    "ensure mean make require need be have do get let see order guarantee provide stipulate prove signal".split()
)

# Nouns heading a that-clause or possessed by a source: "X's claim that …", "the statement that …"
REPORTING_NOUNS: dict[str, str] = {
    **{
        n: ASSERTION
        for n in "claim assertion allegation contention argument insistence suggestion accusation charge".split()
    },
    **{
        n: SPEECH
        for n in "statement announcement remark comment report testimony word "
        "message admission confirmation explanation".split()
    },
    **{n: DENIAL for n in "denial rejection".split()},
    **{n: WARNING for n in "warning threat".split()},
    **{n: BELIEF for n in "belief view opinion fear hope assessment conclusion finding estimate prediction".split()},
    **{
        n: INTENTION
        for n in "promise pledge vow plan call demand determination "
        "refusal intention intent commitment eagerness".split()
    },
    **{
        n: STANCE
        for n in "criticism praise support opposition rhetoric theory idea acknowledgment acknowledgement".split()
    },
}

# Prepositions of a possessed cue noun whose object is the content ("X's claims about …").
NOUN_CUE_PREPS = frozenset("about of on".split())

# Adverbs that mark a claim as second-hand: recorded as ``hedged``, never dropped.
HEDGE_ADVERBS = frozenset("reportedly allegedly purportedly supposedly ostensibly rumoredly".split())
# Those that alone make an unsourced claim ("Troops reportedly entered …"). "Allegedly" is left
# out: it is the legal caution of a court or crime story ("Keller allegedly hid the losses"),
# whose allegation is already reported as the prosecutors' claim.
CLAIM_HEDGE_ADVERBS = HEDGE_ADVERBS - {"allegedly"}

# "did not (immediately) comment on the report", "did not respond to a request for comment": a
# source saying nothing. Negated, these verbs make no claim unless their content is a that-clause
# ("did not say if …" and "did not identify a location" stay: they report what was left unsaid).
NO_COMMENT_VERBS = frozenset("comment respond reply elaborate answer".split())
# "declined to comment", "declined to say how many …": under "decline"/"refuse", a speech verb
# with neither an object nor a that-clause is a refusal to speak ("refused to disclose the
# report" keeps its object as content).
REFUSAL_VERBS = frozenset("decline refuse".split())
REFUSED_SPEECH_VERBS = NO_COMMENT_VERBS | frozenset(
    "say specify disclose explain detail discuss confirm identify speak talk".split()
)

# Verbs of topic, not proposition ("had discussed the shortages"): inside another claim's
# content they are part of it, not a claim of their own.
TOPIC_VERBS = frozenset({"discuss"})

# Verbs that put a request: "asked for more time", "asked the board to present a plan". A
# request for something to be handed over or said is no proposition; a directive about the
# world ("asked residents to stay indoors") is reported.
REQUEST_VERBS = frozenset("ask".split())
REQUESTED_ACTS = frozenset(
    "present provide submit produce give hand send share publish release disclose "
    "explain clarify justify detail comment respond answer draw prepare".split()
)

# A source nested in another's: "the agency, citing adviser X," / "with reference to X".
CITING = "citing"
WITH_REFERENCE_TO = "with reference to"

# Passive reporting frames with an unnamed source: "X is said/reported/believed to …".
HEDGE_PASSIVES = frozenset("say report believe think rumor rumour understand allege claim expect suspect".split())

# Cues whose class yields a negative stance.
DENIAL_CLASSES = frozenset({DENIAL})

# Prepositional cues: "according to X", "in X's view" handled by the attribution rules.
ACCORDING_TO = "according to"


def verb_entry(lemma: str, form: str | None = None) -> CueEntry | None:
    """The entry of a verb lemma; with the inflected ``form``, also repairs the small model's
    dropped final "e" ("hoped" → "hop", "voted" → "vot") when the form shows it."""
    lemma = lemma.lower()
    entry = REPORTING_VERBS.get(lemma)
    if entry is None and form is not None and form.lower().startswith(lemma + "e"):
        entry = REPORTING_VERBS.get(lemma + "e")
    return entry


def noun_class(lemma: str) -> str | None:
    return REPORTING_NOUNS.get(lemma.lower())
