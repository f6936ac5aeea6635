"""Acronyms defined in the text: "the Armed Forces of Ukraine (AFU)", "AFU (Armed Forces of
Ukraine)", "Збройні сили України (ЗСУ)".

The long form is the shortest run of words before the parenthesis whose letters contain the
acronym's letters in order, the first at a word start (Schwartz & Hearst, PSB 2003).
"""

from __future__ import annotations

import re

_PAREN = re.compile(r"\(([^()]{1,80})\)")
_ACRONYM = re.compile(r"^[A-ZА-ЯЁІЇЄҐ][A-Za-zА-Яа-яЁёІіЇїЄєҐґ0-9.&\-]{1,9}$")
_WORD = re.compile(r"[\w’'\-]+", re.UNICODE)
_CLAUSE_BREAK = re.compile(r"[.;:!?()\[\]\n]")
# a stock ticker with its exchange, as agency copy gives it: "General Motors (GM.N)"
_TICKER = re.compile(r"^([A-Z]{2,5})(?:_[a-z])?\.[A-Z]{1,2}$")
_LEADING_FILLERS = {"the", "a", "an", "of", "and", "its", "their", "his", "her"}


def _is_acronym(s: str) -> bool:
    s = s.strip()
    return bool(_ACRONYM.match(s)) and sum(ch.isupper() for ch in s) >= 2


def _long_form(short: str, preceding: str) -> str | None:
    """Schwartz-Hearst: the shortest suffix of `preceding` that the acronym abbreviates."""
    letters = [c.lower() for c in short if c.isalnum()]
    if not letters:
        return None
    s, pos = len(letters) - 1, len(preceding) - 1
    while s >= 0:
        c = letters[s]
        while pos >= 0 and (preceding[pos].lower() != c or (s == 0 and pos > 0 and preceding[pos - 1].isalnum())):
            pos -= 1
        if pos < 0:
            return None
        pos -= 1
        s -= 1
    start = pos + 1
    long = preceding[start:].strip()
    words = long.split()
    if not words or len(words) > len(letters) + 5 or len(long) <= len(short):
        return None
    while words and words[0].lower() in _LEADING_FILLERS:
        words = words[1:]
    return " ".join(words) or None


def _preceding_window(text: str, end: int, n_words: int) -> str:
    window = text[max(0, end - 200) : end]
    cut = [m.end() for m in _CLAUSE_BREAK.finditer(window)]
    if cut:
        window = window[cut[-1] :]
    words = list(_WORD.finditer(window))[-n_words:]
    return window[words[0].start() :].rstrip(" ,") if words else ""


def find_acronym_spans(text: str) -> list[tuple[str, str, tuple, tuple]]:
    """[(acronym, long form, acronym span, long-form span)] for each definition."""
    out = []
    for m in _PAREN.finditer(text):
        inner = m.group(1).strip()
        before = text[: m.start()].rstrip()
        ticker = _TICKER.match(inner)
        if ticker:  # "General Motors (GM.N)" defines "GM" when the letters fit
            inner = ticker.group(1)
        if _is_acronym(inner):
            window = _preceding_window(text, len(before), len(inner) + 5)
            long = _long_form(inner, window)
            if long:
                ls = before.rfind(long)
                out.append((inner, long, (m.start(1), m.start(1) + len(inner)), (ls, ls + len(long))))
            continue
        # Reverse form: "AFU (Armed Forces of Ukraine)".
        prev = re.search(r"(\S+)$", before)
        if prev and _is_acronym(prev.group(1)) and " " in inner:
            short = prev.group(1)
            long = _long_form(short, inner)
            if long and inner.endswith(long) and len(long.split()) >= 2:
                ls = m.start(1) + inner.rfind(long)
                out.append((short, long, (prev.start(1), prev.end(1)), (ls, ls + len(long))))
    return out


def find_acronyms(doc) -> dict[str, str]:
    """Acronyms defined in the text (a spaCy doc or a string): {"AFU": "Armed Forces of Ukraine"}."""
    text = doc if isinstance(doc, str) else doc.text
    out: dict[str, str] = {}
    for short, long, _, _ in find_acronym_spans(text):
        out.setdefault(short, long)
    return out
