"""Human-readable claims for ``claimwatch extract`` (the JSON form is ``Claim.to_dict()``)."""

from __future__ import annotations

from claimwatch import model


def _source_line(src: model.Source) -> str:
    if not src.text:
        return "(unnamed source)"
    shown = src.text
    if src.name and src.name != src.text:
        shown += f" → {src.name}"
    elif not src.resolved:
        shown += " → ? (unresolved)"
    if src.role and src.role not in shown:
        shown += f" ({src.role})"
    return f"{shown} [{src.type}]"


def format_claims_text(claims: list[model.Claim], text: str) -> str:
    """One block per claim: who, cue, what (from the text by its span), flags, places, actors."""
    if not claims:
        return "no claims found"
    blocks = []
    for n, c in enumerate(claims, 1):
        flags = [f for f, on in (("DENIAL", c.stance == "deny"), ("hedged", c.hedged)) if on]
        if c.date:
            flags.append(f"date {c.date}")
        if c.parent_id:
            flags.append(f"inside claim {c.parent_id}")
        if c.content.span is None:  # not from extraction: no place in the text to show
            quoted = f"“{c.content.text}”"
        else:
            s, e = c.content.span
            quoted = f"“{text[s:e]}”  @{s}-{e}"
        lines = [
            f"{n}. {_source_line(c.source)} — {c.cue.text!r}" + (f"  [{', '.join(flags)}]" if flags else ""),
            f"   {quoted}",
        ]
        if c.places:
            lines.append("   places: " + ", ".join(p.name or p.text for p in c.places))
        if c.actors:
            lines.append("   actors: " + ", ".join(a.name or a.text for a in c.actors))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
