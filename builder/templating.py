"""Templates are data: one Jinja environment over `templates/`, built in one place."""

from __future__ import annotations

from functools import cache

import jinja2

from . import TEMPLATES_DIR


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        auto_reload=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def read_template(name: str) -> str:
    """A template used verbatim, such as Anki's own {{Field}} card templates."""
    return (TEMPLATES_DIR / name).read_text(encoding="utf-8")
