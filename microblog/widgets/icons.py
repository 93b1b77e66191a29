"""Icons that widgets draw: lucide's (the icon set of Reflex's `rx.icon`) as plain SVG, so the
server's drawing and the live page draw the same thing. Their strokes are styled by
`.line-icon` (assets/microblog.css); they are decorative, the words beside them say what a
control does."""

from __future__ import annotations

from microblog.widgets.tree import El, el


def line_icon(size: int, *parts: El) -> El:
    """A lucide icon `size` px square, drawn from its `parts` (paths, circles)."""
    return El(
        "svg",
        parts,
        "line-icon",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": str(size),
            "height": str(size),
            "viewBox": "0 0 24 24",
            "aria-hidden": "true",
        },
    )


ARROW_LEFT = line_icon(16, el("path", d="m12 19-7-7 7-7"), el("path", d="M19 12H5"))
ARROW_RIGHT = line_icon(16, el("path", d="M5 12h14"), el("path", d="m12 5 7 7-7 7"))
