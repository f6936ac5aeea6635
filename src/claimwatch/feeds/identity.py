"""Stable identities for articles: canonical URLs, article ids and content hashes.

An article is the same article when its canonical URL is the same (tracking parameters,
fragments, default ports, host case, trailing slashes and http/https do not count), whatever its
GUID says: some feeds mint a new GUID on every build. Without a link, the GUID plus the title
stands in. ``content_hash`` catches the rest: the same text syndicated under another URL.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from claimwatch.model import stable_id

# Query parameters that only say where a click came from, never which page it is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "rb_clickid",
        "s_cid",
        "cmpid",
        "ncid",
        "ocid",
        "sr_share",
        "smid",
        "spm",
        "ito",
        "cmp",
        "xtor",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "ref_src",
        "ref_url",
        "feature",
        "__twitter_impression",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_", "itm_")


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def canonical_url(url: str | None) -> str | None:
    """The URL without tracking parameters and fragment, with a normalised scheme, host and path.

    Remaining query parameters keep their values and are sorted (their order never names a
    different page on sites that matter here). Returns None for an empty or non-http URL.
    """
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        host = parts.hostname.encode("idna").decode("ascii").lower().rstrip(".")
    except UnicodeError:
        host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k))
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def url_key(url: str | None) -> str | None:
    """The identity of a URL: canonical, and the same for http and https and with or without www."""
    canon = canonical_url(url)
    if canon is None:
        return None
    rest = canon.split("://", 1)[1]
    return rest[4:] if rest.startswith("www.") else rest


def article_id_for(
    link: str | None, guid: str | None = None, title: str | None = None, feed_id: str | None = None
) -> str:
    """Article id: from the canonical link when there is one, else from feed + GUID + title."""
    key = url_key(link)
    if key:
        return stable_id("url", key, length=24)
    return stable_id("entry", feed_id, (guid or "").strip(), normalise_text(title or ""), length=24)


_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Markup stripped, entities decoded, Unicode NFKC, case folded, whitespace collapsed."""
    text = html.unescape(_TAG.sub(" ", text or ""))
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACE.sub(" ", text).strip()


SHORT_TEXT = 200  # below this, a body alone is too generic ("Read more…") to identify an article


def content_hash(text: str | None, title: str | None = None) -> str | None:
    """Hash of the normalised text (and of the title when the text is short); None when empty."""
    body = normalise_text(text or "")
    if len(body) < SHORT_TEXT:
        body = normalise_text(title or "") + "\x1f" + body
    if not body.strip("\x1f"):
        return None
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def feed_id_for(url: str) -> str:
    """Feed id: stable hash of the feed URL as given (trimmed), so re-adding it is idempotent."""
    return stable_id("feed", (canonical_url(url) or url.strip()), length=16)
