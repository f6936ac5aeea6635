"""Long articles: capped, parsed in pieces of bounded size with context carried across, and every
span still an offset into the article text as given."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import spacy
import yaml

from claimwatch import pipeline
from claimwatch.extract.chunks import chunk_bounds, cut_before
from claimwatch.textclean import clean_text

GOLDEN = sorted((Path(__file__).resolve().parents[2] / "golden").glob("*.yaml"))
FILLER = "Shops in the old town reopened after a week without power. The claims could not be verified.\n\n"


def golden_texts() -> str:
    return "\n\n".join(yaml.safe_load(p.read_text(encoding="utf-8"))["text"] for p in GOLDEN)


def assert_spans_index_the_given_text(claims, given: str) -> None:
    for c in claims:
        for part in (c.source, c.cue):
            if part.span:
                assert clean_text(given[part.span[0] : part.span[1]]).text == part.text, part
        first_piece = c.content.text.split(" … ")[0]
        assert clean_text(given[c.content.span[0] : c.content.span[1]]).text.startswith(first_piece), c.content


def test_pieces_end_at_the_best_break_and_cover_the_text():
    text = "First sentence here. Second one.\nA line.\n\nNext paragraph starts. More words follow here."
    assert cut_before(text, 10, 60) == text.index("Next")  # after the blank line, not the line or sentence
    assert cut_before(text, 10, 35) == text.index("A line")
    assert cut_before(text, 0, 25) == text.index("Second")
    assert cut_before("x" * 50, 10, 40) == 40  # no break at all: cut where the piece must end
    assert cut_before("They met Gen. J. Smith and Dr. Ruiz. Then left.", 0, 40) == 37  # not after a title
    long = FILLER * 60
    bounds = chunk_bounds(long, 1_000)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(long)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))  # consecutive pairs
    assert all(500 <= e - s <= 1_000 for s, e in bounds[:-1]) and all(long[e - 2 : e] == "\n\n" for _, e in bounds[:-1])


@pytest.mark.slow
def test_a_pronoun_at_the_start_of_a_piece_finds_the_speaker_named_before_it(nlp, monkeypatch):
    text = (
        FILLER * 8 + "Oksana Hrytsenko, an adviser to the regional governor, said on Monday that the bridge "
        "near Kramatorsk had been closed.\n\nShe noted that repair crews would need a week to reopen it.\n\n"
        + FILLER
        * 4
    )
    boundary = text.index("She noted")
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", boundary + 20)
    assert boundary in [s for s, _ in chunk_bounds(text, pipeline.CHUNK_CHARS)]

    def noted(context_chars: int):
        monkeypatch.setattr(pipeline, "CONTEXT_CHARS", context_chars)
        claims = pipeline.analyze(text, with_entities=False)
        assert_spans_index_the_given_text(claims, text)
        return next(c for c in claims if c.cue.text == "noted")

    claim = noted(600)
    assert (claim.source.text, claim.source.name) == ("She", "Oksana Hrytsenko")
    assert claim.source.role == "adviser to the regional governor"
    assert claim.content.span[0] > boundary and text[claim.cue.span[0] : claim.cue.span[1]] == "noted"
    assert noted(0).source.name is None  # what the carried sentences are for


@pytest.mark.slow
def test_piece_by_piece_gives_the_claims_of_one_parse(nlp, monkeypatch):
    """The four golden articles (3,458 characters) in pieces of at most 1,500: the same claims,
    spans, resolved sources, nesting and ids as one Doc of the whole text."""
    text = golden_texts()
    whole = [c.to_dict() for c in pipeline.claims_from_doc(nlp(text))]
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", 1_500)
    monkeypatch.setattr(pipeline, "CONTEXT_CHARS", 1_000)
    assert len(chunk_bounds(text, 1_500)) == 3
    pieces = [c.to_dict() for c in pipeline.analyze(text)]
    assert pieces == whole and len(whole) == 38
    assert sum(bool(c["parent_id"]) for c in whole) >= 1 and sum(bool(c["places"]) for c in whole) >= 1


@pytest.mark.slow
def test_invisible_characters_in_a_long_text_keep_every_span_on_the_text_as_given(nlp, monkeypatch):
    plain = golden_texts()
    given = plain.replace("said", "sa\u200bid").replace("Vasquez", "\u202eVasquez\u202c").replace("\n\n", "\r\n\r\n")
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", 1_500)
    monkeypatch.setattr(pipeline, "CONTEXT_CHARS", 1_000)
    claims = pipeline.analyze(given, with_entities=False)
    assert_spans_index_the_given_text(claims, given)
    assert [(c.cue.text, c.content.text) for c in claims] == [
        (c.cue.text, c.content.text) for c in pipeline.analyze(plain, with_entities=False)
    ]


def test_a_text_over_spacys_limit_is_cut_at_a_paragraph_and_parsed_in_bounded_pieces(monkeypatch, caplog):
    """1.2 M characters once made spaCy raise (E088) and a 1 MB text took GBs in one Doc; now the
    text is cut before 1,000,000 characters (logged) and no Doc is larger than a piece plus its
    context. A tokenizer-only pipeline stands in for the model (the bound is on what it is given)."""
    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    given = []

    def recording(text):
        given.append(text)
        return blank(text)

    monkeypatch.setattr(pipeline, "get_nlp", lambda: recording)
    paragraph = "Officials said the bridge at Kramatorsk had been closed for repairs on Monday. " * 6 + "\n\n"
    text = "".join(f"{i:06d} {paragraph}" for i in range(1_200_000 // len(paragraph)))  # each one unique
    with caplog.at_level(logging.WARNING, logger="claimwatch.pipeline"):
        pipeline.analyze(text, with_entities=False)
    assert max(map(len, given)) <= pipeline.CHUNK_CHARS + pipeline.CONTEXT_CHARS
    kept = len(given[-1]) + text.index(given[-1])
    assert pipeline.MAX_ARTICLE_CHARS - len(paragraph) < kept <= pipeline.MAX_ARTICLE_CHARS
    assert text[:kept].endswith("\n\n")
    assert any("truncated" in r.getMessage() and f"{kept} of {len(text)}" in r.getMessage() for r in caplog.records)
