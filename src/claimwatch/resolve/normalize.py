"""Transliteration-insensitive name keys.

One key function is used both when the gazetteer is built and when text is looked up, so any
two spellings that fold to the same key find the same places:

    Kostiantynivka = Kostyantynivka = Kostjantinivka = Костянтинівка   -> "kostiantinivka"
    Konstantinovka = Konstantinowka = Константиновка                  -> "konstantinovka"
    Krasnoarmeysk = Krasnoarmejsk = Красноармейск                     -> "krasnoarmeisk"

Russian and Ukrainian Cyrillic are romanised into one folded scheme (и/і/ї/й/ы all -> i,
г/ґ -> g, х -> h), and Latin spellings get the same folds (kh -> h, y/j -> i, w -> v, tz -> ts,
doubled letters collapse, apostrophes and soft signs vanish). Different *words* (Russian
Konstantinovka vs Ukrainian Kostiantynivka) are not folded together here: GeoNames lists both
as alternate names of the same place, and the gazetteer indexes every alternate name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Bump whenever a fold changes: the gazetteer stores the keys, and a file built with other folds
# is refused (rebuild with `make install`) instead of silently missing names.
KEY_VERSION = "2"

# One table for Russian and Ukrainian: letters that differ between the two languages' official
# romanisations land on the same Latin output (и ru "i" / ua "y"; і, ї, й, ы; г ru "g" / ua "h").
_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "є": "ie",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "i",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
    "ў": "u",
    "ђ": "dj",
    "ј": "i",
    "љ": "l",
    "њ": "n",
    "ћ": "c",
    "џ": "dz",
    "ѓ": "g",
    "ќ": "k",
    "ѕ": "dz",
}
_APOSTROPHES = "'’ʼ`´‘ʹʻ\u02bc\u0301"
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_DOUBLE = re.compile(r"([a-z])\1+")

# Latin folds, applied in order on lower-case ASCII. Order matters: "kh" before "h"-based rules,
# "y"/"j" -> "i" before "ii" collapses ("iy", "yi", "ii" -> "i").
_LATIN_FOLDS = (
    ("shch", "sc"),
    ("sch", "sc"),
    ("kh", "h"),
    ("tz", "ts"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
    ("ii", "i"),
    ("ie", "e"),
)

# Adjectival forms of place names ("Krasnoarmeyskoye direction", "Donetskiy", "Luhanska
# oblast"): stripped to the "-sk" noun form and to the bare stem ("Dymitrovskoye" -> "Dymitrov").
_ADJECTIVAL_SUFFIXES = ("skoe", "skoie", "skogo", "skomu", "skim", "skaia", "skoi", "ska", "ske", "ski", "sko", "skih")


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC_RE.search(text))


def _strip_marks(text: str) -> str:
    # Keep й/ё as their own letters (NFKD would split й into и + breve), strip every other mark.
    out = []
    for ch in text:
        if ch in "йЙёЁїЇ":
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out)


def romanise(text: str) -> str:
    """Lower-case ASCII-ish romanisation (Cyrillic folded, diacritics stripped); no key folds."""
    text = _strip_marks(text.lower())
    for a in _APOSTROPHES:
        text = text.replace(a, "")
    text = text.replace("ß", "ss").replace("ł", "l").replace("ø", "o").replace("æ", "ae")
    text = text.replace("đ", "d").replace("ı", "i").replace("œ", "oe").replace("þ", "th")
    if has_cyrillic(text):
        text = "".join(_CYRILLIC.get(ch, ch) for ch in text)
    return text


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """The lookup key of a name: words joined by single spaces, folded for transliteration."""
    text = romanise(text)
    text = _NON_WORD.sub(" ", text).strip()
    for a, b in _LATIN_FOLDS:
        text = text.replace(a, b)
    text = _DOUBLE.sub(r"\1", text)
    return text


def abbreviation_key(text: str) -> str:
    """Exact key for abbreviations ("N.J." and "N.Y." must not fold together): lower case,
    spaces dropped, prefixed so it never collides with a name key."""
    return "=" + romanise(text).replace(" ", "").rstrip(".")


def demonym_key(text: str) -> str:
    """Exact key of a demonym as written ("Syrian", not the "Sirjan" its name key folds to)."""
    return "~" + romanise(text).replace(" ", "")


def adjectival_stems(key: str) -> list[str]:
    """Noun keys an adjectival place key may stand for, most specific first.

    "krasnoarmeiskoe" -> ["krasnoarmeisk", "krasnoarmei"]; "dimitrovskoe" -> ["dimitrovsk",
    "dimitrov"]. Only the last word is inflected ("novoazovskii raion" is not handled here).
    """
    for suffix in _ADJECTIVAL_SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 4:
            stem = key[: -len(suffix)]
            return [stem + "sk", stem]
    if key.endswith("sk") and len(key) >= 7:
        return [key[:-2]]
    return []


# Russian/Ukrainian case endings, tried on Cyrillic words only ("в Константиновке",
# "под Покровском", "Донецкой области"): (ending, replacements for the nominative).
_CASE_ENDINGS = (
    ("ии", ("ие", "ия")),
    ("ией", ("ия",)),
    ("ою", ("а", "я")),
    ("ой", ("а", "", "ая")),
    ("ей", ("я", "")),
    ("ом", ("", "о", "ое")),
    ("ем", ("", "е", "ее")),
    ("ам", ("а", "")),
    ("ах", ("а", "")),
    ("ами", ("а", "")),
    ("ові", ("",)),
    ("еві", ("",)),
    ("ові", ("",)),
    ("ого", ("", "ий", "ое")),
    ("ий", ("",)),
    ("ій", ("а", "")),
    ("ої", ("а",)),
    ("ку", ("ка",)),
    ("ки", ("ка",)),
    ("ці", ("ка",)),
    ("ке", ("ка",)),
    ("е", ("а", "")),
    ("у", ("а", "")),
    ("і", ("а", "")),
    ("и", ("а", "")),
    ("ы", ("а", "")),
    ("а", ("",)),
    ("я", ("", "ь")),
)


def cyrillic_case_variants(word: str) -> list[str]:
    """Nominative candidates for an inflected Cyrillic place word, most likely first."""
    if not has_cyrillic(word):
        return []
    lower = word.lower()
    out: list[str] = []
    for ending, replacements in _CASE_ENDINGS:
        if lower.endswith(ending) and len(lower) - len(ending) >= 3:
            stem = lower[: -len(ending)]
            for r in replacements:
                cand = stem + r
                if cand != lower and cand not in out:
                    out.append(cand)
    return out
