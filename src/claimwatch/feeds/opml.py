"""OPML import/export in the shape Feedly and Inoreader use: nested category outlines holding
``<outline type="rss" text=… title=… xmlUrl=… htmlUrl=…/>``. Parsed with defusedxml, so an OPML
file with entity tricks is refused rather than expanded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException


class OpmlError(ValueError):
    pass


@dataclass
class FeedSpec:
    url: str
    title: str | None = None
    html_url: str | None = None
    category: str | None = None  # "News/World" for nested folders


def _attr(element, name: str) -> str | None:
    """Attribute lookup ignoring case: exporters write xmlUrl, xmlurl and XMLURL."""
    lowered = name.lower()
    for key, value in element.attrib.items():
        if key.lower() == lowered and value and value.strip():
            return value.strip()
    return None


def parse_opml(data: bytes) -> list[FeedSpec]:
    """Every feed outline (any depth), first occurrence of each URL kept, in document order."""
    try:
        root = safe_et.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise OpmlError(f"refused unsafe OPML: {exc}") from exc
    except safe_et.ParseError as exc:
        raise OpmlError(f"not well-formed OPML: {exc}") from exc
    if root.tag.lower() != "opml":
        raise OpmlError(f"root element is <{root.tag}>, not <opml>")
    body = next((child for child in root if child.tag.lower() == "body"), None)
    if body is None:
        raise OpmlError("OPML has no <body>")
    feeds: dict[str, FeedSpec] = {}

    def walk(node, path: list[str]) -> None:
        for outline in node:
            if outline.tag.lower() != "outline":
                continue
            label = _attr(outline, "title") or _attr(outline, "text")
            url = _attr(outline, "xmlUrl")
            if url:
                feeds.setdefault(url, FeedSpec(url, label, _attr(outline, "htmlUrl"), "/".join(path) or None))
            walk(outline, path + [label] if (label and not url) else path)

    walk(body, [])
    return list(feeds.values())


def export_opml(feeds: Iterable, title: str = "claimwatch feeds") -> bytes:
    """OPML 2.0 from FeedSpec or FeedState objects (anything with ``url`` and ``title``);
    feeds with a ``category`` go into folder outlines, as Feedly exports them."""
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    SubElement(head, "dateCreated").text = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = SubElement(root, "body")
    folders: dict[str, Element] = {}
    for feed in feeds:
        parent = body
        category = getattr(feed, "category", None)
        if category:
            for depth, name in enumerate(category.split("/")):
                key = "/".join(category.split("/")[: depth + 1])
                if key not in folders:
                    folders[key] = SubElement(parent, "outline", text=name, title=name)
                parent = folders[key]
        label = getattr(feed, "title", None) or feed.url
        attrs = {"type": "rss", "text": label, "title": label, "xmlUrl": feed.url}
        if getattr(feed, "html_url", None):
            attrs["htmlUrl"] = feed.html_url
        SubElement(parent, "outline", attrs)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8", xml_declaration=False)
