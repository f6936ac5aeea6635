"""``make bench-longtext``: its generated articles and its headline figures."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_article_has_the_asked_size_speakers_pronouns_and_places():
    longtext = load("longtext")
    text = longtext.article(100_000)
    assert len(text) == 100_000 and text == longtext.article(100_000)  # the same article on every run
    paragraphs = text.split("\n\n")
    assert len(paragraphs) > 200
    assert re.search(r"\n\n[A-Z][a-z]+ [A-Z][a-z]+, (an?|the) [a-z ]+, (said|told)", text)
    assert len(re.findall(r"\b(He|She) (also )?(said|noted|added|claimed|warned|stressed|told)", text)) > 300
    assert all(place in text for place in ("Pokrovsk", "Kramatorsk", "Kostiantynivka"))


def test_the_memory_aim_is_judged_on_the_1_mb_article():
    collect = load("collect")
    sizes = {"10 KB": {"peak_over_idle": 1.1, "cpu_s": 0.3}, "1 MB": {"peak_over_idle": 2.4, "cpu_s": 27.0}}
    rows = {r["figure"]: r for r in collect.headlines({"longtext": {"command": "make bench-longtext", "sizes": sizes}})}
    memory = rows["1 MB article: extract peak/idle RSS"]
    assert (memory["value"], memory["meets_aim"], memory["command"]) == (2.4, False, "make bench-longtext")
    assert rows["1 MB article: extract CPU"]["value"] == 27.0
