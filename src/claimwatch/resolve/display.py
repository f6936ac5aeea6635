"""Plain-text listing of place mentions for `claimwatch places FILE_OR_URL`."""

from __future__ import annotations

from claimwatch import model


def format_places_text(places: list[model.PlaceRef], text: str) -> str:
    """One line per mention: span, text as written, resolution, coordinates, how it matched,
    and a short context snippet so resolution can be checked by eye."""
    if not places:
        return "no place mentions found"
    width = min(32, max(len(p.text) for p in places))
    lines = [f"{len(places)} place mention(s), {len({p.place_id for p in places if p.place_id})} distinct place(s)"]
    for p in places:
        start, end = p.span or (0, 0)
        where = ", ".join(x for x in (p.name, p.admin1, p.country) if x)
        coords = f"{p.lat:.4f},{p.lon:.4f}" if p.lat is not None and p.lon is not None else "-"
        context = text[max(0, start - 30) : end + 30].replace("\n", " ")
        lines.append(
            f"{start:>6}-{end:<6} {p.text:<{width}}  -> {where}  [{p.place_id or '-'}]"
            f"  {coords}  {p.feature or ''}  ({p.matched or 'unresolved'})"
        )
        lines.append(f"{'':>14}…{context}…")
    return "\n".join(lines)
