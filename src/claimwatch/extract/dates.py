"""The calendar date a claim names, resolved against the article's publication date.

Handles explicit dates ("On November 20th", "Nov. 20, 2025", "20 November", "2025-11-20"),
weekdays ("on Tuesday", "last Tuesday", "next Friday") and deictic days ("yesterday", "today",
"tomorrow"). Anything vaguer ("recent days", "this month") names no date: ``None``.
"""

from __future__ import annotations

import datetime as dt
import re

from spacy.tokens import Span

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
_DEICTIC = {"yesterday": -1, "today": 0, "tomorrow": 1, "tonight": 0}

_MONTH_RE = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY_RE = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR_RE = r"(?:,?\s+(?P<year>\d{4}))?"
_MDY = re.compile(rf"\b{_MONTH_RE}\s+{_DAY_RE}\b{_YEAR_RE}", re.I)
_DMY = re.compile(rf"\b{_DAY_RE}\s+(?:of\s+)?{_MONTH_RE}{_YEAR_RE}", re.I)
_ISO = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")
_WEEKDAY_RE = re.compile(
    r"\b(?:(?P<rel>last|next|this|on)\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I
)
_DEICTIC_RE = re.compile(r"\b(yesterday|today|tomorrow|tonight)\b", re.I)


def _month_day(month: int, day: int, year: int | None, published: dt.date | None) -> dt.date | None:
    if year is None:
        if published is None:
            return None
        year = published.year
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            return None
        # news reports the past: a month-day far after publication is last year's
        if (candidate - published).days > 31:
            candidate = dt.date(year - 1, month, day)
        return candidate
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def resolve_date(text: str, published: dt.date | None) -> dt.date | None:
    """The date named by one date expression, or None when it names no single day."""
    m = _ISO.search(text)
    if m:
        try:
            return dt.date(int(m["year"]), int(m["month"]), int(m["day"]))
        except ValueError:
            return None
    for rx in (_MDY, _DMY):
        m = rx.search(text)
        if m:
            month = _MONTHS[m["month"].lower()[:3]]
            return _month_day(month, int(m["day"]), int(m["year"]) if m["year"] else None, published)
    if published is None:
        return None
    m = _DEICTIC_RE.search(text)
    if m:
        return published + dt.timedelta(days=_DEICTIC[m.group(1).lower()])
    m = _WEEKDAY_RE.search(text)
    if m:
        target = _WEEKDAYS[m["wd"].lower()]
        rel = (m["rel"] or "").lower()
        if rel == "next":
            ahead = (target - published.weekday()) % 7 or 7
            return published + dt.timedelta(days=ahead)
        back = (published.weekday() - target) % 7
        if rel == "last" and back == 0:
            back = 7
        return published - dt.timedelta(days=back)
    return None


def claim_date(sentence_ents: list[Span], published: dt.date | None) -> str | None:
    """ISO date named in the claim's sentence (first resolvable DATE entity), else None."""
    for ent in sentence_ents:
        if ent.label_ in ("DATE", "TIME"):
            d = resolve_date(ent.text, published)
            if d is not None:
                return d.isoformat()
    return None
