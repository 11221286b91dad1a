"""Highlighted code is readable: every token colour of the styles the deck uses reaches WCAG AA."""

from __future__ import annotations

import pytest

from builder.highlight import MIN_CONTRAST, _rgb, accessible_style, contrast, readable_colour


@pytest.mark.parametrize("style_name", ["friendly", "monokai"])
def test_every_token_colour_reaches_aa_against_the_code_background(style_name: str) -> None:
    style = accessible_style(style_name)
    pairs = {(d["color"], d["bgcolor"] or style.background_color) for _, d in style if d["color"]}
    assert pairs, "the style has colours to check"
    for colour, background in pairs:
        assert contrast(_rgb(colour), _rgb(background)) >= MIN_CONTRAST, (colour, background)


def test_a_readable_colour_is_left_alone_and_a_faint_one_moves_only_as_far_as_needed() -> None:
    assert readable_colour("#000000", "#ffffff") == "#000000"
    darker = readable_colour("#60a0b0", "#f0f0f0")
    assert contrast(_rgb(darker), _rgb("#f0f0f0")) >= MIN_CONTRAST
    assert contrast(_rgb(darker), _rgb("#f0f0f0")) < MIN_CONTRAST + 0.3
