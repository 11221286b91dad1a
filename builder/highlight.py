"""Code highlighting that every reader can read: Pygments styles whose token colours reach WCAG AA
contrast (4.5 : 1) against the code background, in light and night mode.

Pygments' own styles pick colours for taste, not contrast (friendly's comments are 2.4 : 1).
Each colour here is moved towards black on a light background, or towards white on a dark one,
just far enough to reach the ratio, so the style keeps its look.
"""

from __future__ import annotations

import re

from pygments.formatters import HtmlFormatter
from pygments.style import Style
from pygments.styles import get_style_by_name

#: WCAG 2.1 AA for normal text, with a little room for rounding in the browser.
MIN_CONTRAST = 4.6
HEX_COLOUR = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def style_defs(style_name: str, selectors: list[str]) -> str:
    """The CSS of a Pygments style, its colours raised to AA contrast, for `selectors`."""
    return HtmlFormatter(style=accessible_style(style_name)).get_style_defs(selectors)


def accessible_style(style_name: str) -> type[Style]:
    base = get_style_by_name(style_name)
    background = base.background_color
    styles = {token: _readable(definition, background) for token, definition in base.styles.items()}
    return type(f"Accessible{base.__name__}", (base,), {"styles": styles})


def _readable(definition: str, background: str) -> str:
    """A token's style string with its text colour (not its `bg:` colour) made readable."""
    own_background = next((part[3:] for part in definition.split() if part.startswith("bg:")), background)
    parts = []
    for part in definition.split():
        if not part.startswith(("bg:", "border:")) and HEX_COLOUR.fullmatch(part):
            part = readable_colour(part, own_background)
        parts.append(part)
    return " ".join(parts)


def readable_colour(colour: str, background: str, ratio: float = MIN_CONTRAST) -> str:
    """`colour`, or the nearest mix of it with black or white that reaches `ratio` on `background`."""
    rgb, back = _rgb(colour), _rgb(background)
    target = (0, 0, 0) if _luminance(back) > 0.5 else (255, 255, 255)
    for step in range(0, 101):
        mixed = tuple(round(c + (t - c) * step / 100) for c, t in zip(rgb, target))
        if contrast(mixed, back) >= ratio:
            return "#{:02x}{:02x}{:02x}".format(*mixed)
    return "#{:02x}{:02x}{:02x}".format(*target)


def contrast(first: tuple[int, ...], second: tuple[int, ...]) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
