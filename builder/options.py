"""Options: the command line's raw values → checked, plain settings for the stages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .filtering import Selection
from .levels import up_to

if TYPE_CHECKING:
    from .syllabus import Syllabus

DIST_DIR = Path("dist")
OUTPUT_STEM = "backend-interview"
SITE_DIR = DIST_DIR / "site"


@dataclass(frozen=True)
class BuildOptions:
    cards_dir: Path
    output: Path
    selection: Selection


def selection_from(levels: tuple[str, ...], up_to_level: str | None, sections: tuple[str, ...]) -> Selection:
    """Combine --level, --up-to and --section; the two level filters exclude each other."""
    if levels and up_to_level:
        raise click.UsageError("--level and --up-to cannot be combined — use --level for exact levels or --up-to for junior..LEVEL", click.get_current_context(silent=True))
    parts = []
    if up_to_level:
        levels = up_to(up_to_level)
        parts.append(f"up-to-{up_to_level}")
    elif levels:
        parts.append("+".join(levels))
    if sections:
        parts.append("+".join(sections))
    return Selection(levels=tuple(levels), sections=tuple(sections), name="-".join(parts))


def check_sections(selection: Selection, syllabus: Syllabus) -> None:
    unknown = [s for s in selection.sections if syllabus.section(s) is None]
    if unknown:
        # A misused option (exit code 2, with usage), though only the syllabus can tell.
        raise click.BadParameter(f"unknown section '{unknown[0]}' — expected one of: {', '.join(syllabus.section_ids)}", click.get_current_context(silent=True), param_hint="'--section'")


def default_output(selection: Selection, suffix: str) -> Path:
    """dist/backend-interview.apkg for the whole deck, dist/backend-interview-up-to-mid.apkg for a filter."""
    stem = f"{OUTPUT_STEM}-{selection.name}" if selection.name else OUTPUT_STEM
    return DIST_DIR / f"{stem}{suffix}"
