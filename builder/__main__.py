"""The command line: parse options, call the stages, exit cleanly."""

from __future__ import annotations

import gc
import json
import math
import signal
from pathlib import Path

import click

from . import __version__
from .levels import LEVELS

CARDS_HELP = "Folder of card files and syllabus.yaml."
LEVEL_HELP = "Only cards of exactly this level; repeat for several."
UP_TO_HELP = "Only cards from junior up to and including this level."
SECTION_HELP = "Only cards of this section id (see syllabus.yaml); repeat for several."

CARD_SIZE_HELP = "index: 3×5 in index card; a7: A7 (105×74 mm); business: 85×55 mm business card."
LAYOUT_HELP = "duplex-long/-short: double-sided, flipped on the long/short edge; fold: one-sided, fold each sheet in half."
BACK_OFFSET_HELP = "Shift back pages by X,Y mm (right, down) to undo your printer's duplex shift; see the calibrate command."
MAX_BACK_OFFSET_MM = 10.0
#: New objects between two runs of the garbage collector (Python's default is 700).
GC_THRESHOLD = 100_000

cards_option = click.option(
    "--cards", "cards_dir", type=click.Path(path_type=Path), default=Path("cards"), show_default=True, help=CARDS_HELP
)


def selection_options(command):
    """--level, --up-to and --section, shared by every command that outputs cards."""
    command = click.option("--section", "sections", multiple=True, metavar="SECTION", help=SECTION_HELP)(command)
    command = click.option("--up-to", "up_to", type=click.Choice(LEVELS), help=UP_TO_HELP)(command)
    command = click.option("--level", "levels", type=click.Choice(LEVELS), multiple=True, help=LEVEL_HELP)(command)
    return command


class BackOffset(click.ParamType):
    """X,Y in millimetres, e.g. 1.5,-0.5."""

    name = "X,Y"

    def convert(self, value, param, ctx) -> tuple[float, float]:
        if isinstance(value, tuple):
            return value
        try:
            x, y = (float(part) for part in value.split(","))
        except ValueError:
            self.fail(f"expected X,Y in millimetres such as 1.5,-0.5, but received '{value}'", param, ctx)
        if not (math.isfinite(x) and math.isfinite(y)):
            self.fail(f"expected X,Y as two numbers of millimetres, but received '{value}'", param, ctx)
        if max(abs(x), abs(y)) > MAX_BACK_OFFSET_MM:
            self.fail(f"{value} mm is more than a printer shifts — expected at most {MAX_BACK_OFFSET_MM:g} mm each way; print the calibration sheet", param, ctx)
        return x, y


def sheet_options(command):
    """--paper, --card-size, --layout and --back-offset, shared by the PDF commands."""
    from .sheets import CARD_SIZES, LAYOUTS, PAPERS

    command = click.option("--back-offset", type=BackOffset(), default="0,0", show_default=True, help=BACK_OFFSET_HELP)(command)
    command = click.option("--layout", type=click.Choice(LAYOUTS), default="duplex-long", show_default=True, help=LAYOUT_HELP)(command)
    command = click.option("--card-size", "card", type=click.Choice(list(CARD_SIZES)), default="index", show_default=True, help=CARD_SIZE_HELP)(command)
    command = click.option("--paper", type=click.Choice(list(PAPERS)), default="a4", show_default=True, help="Paper size.")(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="backend-cards")
def cli() -> None:
    """Compile Markdown flashcards into Anki decks and printable card sheets.

    \b
    Typical use:
      backend-cards lint                    check every card
      backend-cards build --up-to mid       Anki deck for junior and mid cards
      backend-cards stats                   cards per section and level, syllabus gaps
    """
    # A terminated build unwinds like an interrupted one, so its temporary files are removed.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    # A run makes millions of objects that live to its end (cards, their HTML, notes): at the
    # default threshold of 700 new objects the collector scans them again and again, a tenth
    # of a build after an edit. Garbage with cycles, which it is there for, is rare here.
    gc.set_threshold(GC_THRESHOLD)


def _exit_on_signal(number: int, frame: object) -> None:
    raise SystemExit(128 + number)


@cli.command(name="build")
@cards_option
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output .apkg file. Default: dist/backend-interview[-FILTER].apkg")
@selection_options
def build_command(cards_dir: Path, output: Path | None, levels, up_to, sections) -> None:
    """Build an Anki package (.apkg) from the cards.

    Re-importing a newer build updates edited cards in place and keeps review history.
    Filtered builds use the same note identities, so importing several never duplicates a card.
    Beside the package it writes release-notes.md (what this release added, changed and
    removed) and, once a release has removed cards, backend-interview-removals.apkg: notices
    that replace removed cards for learners who import it when updating.

    \b
    Examples:
      backend-cards build                              whole deck → dist/backend-interview.apkg
      backend-cards build --up-to senior               junior, mid and senior cards
      backend-cards build --section databases -o db.apkg
    """
    from .build import build_anki
    from .options import BuildOptions, default_output, selection_from

    selection = selection_from(levels, up_to, sections)
    target = output or default_output(selection, ".apkg")
    count = build_anki(BuildOptions(cards_dir, target, selection))
    click.echo(f"wrote {target} ({count} notes)")


@cli.command(name="pdf")
@cards_option
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output .pdf file. Default: dist/backend-interview[-FILTER]-PAPER.pdf")
@selection_options
@sheet_options
@click.option("--skip-overflow", is_flag=True, help="Leave out (and list) cards too long for the card size instead of failing.")
def pdf_command(cards_dir: Path, output: Path | None, levels, up_to, sections, paper, card, layout, back_offset, skip_overflow) -> None:
    """Build print-ready PDF card sheets: each front page is followed by its back page.

    Print double-sided at actual size (100 %), flipping on the edge --layout names, then cut
    along the marks. Cards too long for the card size are set smaller, down to 70 % of the
    normal size; a card that still does not fit stops the build (or see --skip-overflow).

    \b
    Examples:
      backend-cards pdf --up-to mid                    → dist/backend-interview-up-to-mid-a4.pdf
      backend-cards pdf --paper letter --card-size business
      backend-cards pdf --layout fold                  for printers without duplex
      backend-cards pdf --back-offset 1.5,-0.5         after reading the calibration sheet
    """
    from .build import build_pdf
    from .options import BuildOptions, default_output, selection_from
    from .pdf import output_suffix
    from .sheets import SheetSpec, fold_advice

    selection = selection_from(levels, up_to, sections)
    sheet = SheetSpec(paper, card, layout, back_offset)
    target = output or default_output(selection, output_suffix(sheet))
    written = build_pdf(BuildOptions(cards_dir, target, selection), sheet, skip_overflow)
    for card_id in written.skipped:
        click.echo(f"skipped '{card_id}': too long for the card size even at the smallest font", err=True)
    if layout == "fold":
        click.echo(fold_advice(sheet))
    click.echo(f"wrote {target} ({written.cards} cards on {written.pages} pages)")


@cli.command(name="site")
@cards_option
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), help="Output folder, replaced whole once the new site is complete. Default: dist/site")
@selection_options
def site_command(cards_dir: Path, output: Path | None, levels, up_to, sections) -> None:
    """Build a static study site: an index and a page per section.

    On a section page you filter by level (exact, or up to a level), search the questions,
    and study in flashcard mode: Space or Enter shows the answer, the arrow keys move, Shuffle
    mixes the cards. Every filter is in the page's address, and PAGE.html#CARD-ID opens one
    card. The folder loads nothing from elsewhere: open index.html from disk, or copy the
    folder to any static host.

    \b
    Examples:
      backend-cards site                               whole deck → dist/site/index.html
      backend-cards site --up-to mid -o dist/site-mid  junior and mid cards only
    """
    from .build import build_site
    from .options import SITE_DIR, BuildOptions, selection_from

    target = output or SITE_DIR
    written = build_site(BuildOptions(cards_dir, target, selection_from(levels, up_to, sections)))
    click.echo(
        f"wrote {target}/index.html ({written.cards} cards on {written.pages} pages, {written.total_bytes / 1e6:.1f} MB; "
        f"largest page {written.largest_page_bytes / 1e3:.0f} kB)"
    )


@cli.command(name="export")
@cards_option
@click.option("--format", "fmt", type=click.Choice(["anki-tsv", "quizlet"]), default="anki-tsv", show_default=True,
              help="anki-tsv: Anki's text import, same notes as the .apkg; quizlet: plain term<TAB>definition lines.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file. Default: dist/backend-interview[-FILTER].tsv or …-quizlet.txt")
@selection_options
def export_command(cards_dir: Path, fmt: str, output: Path | None, levels, up_to, sections) -> None:
    """Export the cards for other flashcard routes.

    anki-tsv is a tab-separated file for Anki's own text import (File → Import), with the same
    ids, note types, decks and tags as the .apkg, so either route updates the same notes: import
    the .apkg once first, so that the note types exist. quizlet is one plain-text
    "term<TAB>definition" line per card for Quizlet-style imports; it loses highlighting,
    images and diagrams, and clozes show as blanks.

    \b
    Examples:
      backend-cards export                              → dist/backend-interview.tsv
      backend-cards export --format quizlet --up-to mid → dist/backend-interview-up-to-mid-quizlet.txt
    """
    from .build import build_export
    from .export import SUFFIXES
    from .options import BuildOptions, default_output, selection_from

    selection = selection_from(levels, up_to, sections)
    target = output or default_output(selection, SUFFIXES[fmt])
    count = build_export(BuildOptions(cards_dir, target, selection), fmt)
    click.echo(f"wrote {target} ({count} cards)")


@cli.command(name="calibrate")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output .pdf file. Default: dist/calibration-PAPER.pdf")
@sheet_options
def calibrate_command(output: Path | None, paper, card, layout, back_offset) -> None:
    """Print a sheet that shows how far your printer shifts the backs of duplex pages.

    Print it double-sided like the cards, hold it against a light and read the two scales on
    the back where the front's centre lines show through; pass them to pdf --back-offset X,Y.

    \b
    Examples:
      backend-cards calibrate --paper letter --layout duplex-short
      backend-cards calibrate --back-offset 1.5,-0.5   check a correction
    """
    from .options import DIST_DIR
    from .pdf import output_suffix, write_calibration
    from .sheets import SheetSpec

    sheet = SheetSpec(paper, card, layout, back_offset)
    target = output or DIST_DIR / f"calibration{output_suffix(sheet)}"
    write_calibration(sheet, target)
    click.echo(f"wrote {target}")


@cli.command(name="lint")
@cards_option
@click.option("--strict", is_flag=True, help="Treat quality warnings as errors (exit code 1).")
def lint_command(cards_dir: Path, strict: bool) -> None:
    """Check every card: format errors, then the quality rules.

    Errors and warnings print as FILE:LINE: problem — how to fix it. Errors exit with code 1;
    warnings only with --strict. The thresholds are in builder/quality.py.

    \b
    Example:
      backend-cards lint --strict
    """
    from .deck import lint

    warnings = lint(cards_dir, strict)
    click.echo(f"lint: no errors, {len(warnings)} warning(s)")


@cli.command(name="watch")
@cards_option
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False), help="Folder for the outputs, under the names build, pdf and site give them. Default: dist")
@click.option("--apkg/--no-apkg", default=True, show_default=True, help="Rebuild the Anki package.")
@click.option("--pdf", is_flag=True, help="Also rebuild the card sheets that the sheet options describe.")
@click.option("--site", is_flag=True, help="Also rebuild the study site.")
@selection_options
@sheet_options
def watch_command(cards_dir: Path, out_dir: Path | None, apkg: bool, pdf: bool, site: bool, levels, up_to, sections, paper, card, layout, back_offset) -> None:
    """Lint the cards and rebuild the chosen outputs, then again whenever a card file, the
    syllabus or a media file changes, until Ctrl-C.

    Errors and warnings print as lint prints them, FILE:LINE: problem — how to fix it, then
    each output rebuilt and how long it took. A mistake never ends the watch, and an output is
    only ever replaced by a complete one. Lint's check that the note history is current is left
    to the .apkg build, which updates the history.

    \b
    Examples:
      backend-cards watch                              → dist/backend-interview.apkg
      backend-cards watch --section databases --site   a databases deck and site
      backend-cards watch --no-apkg                    lint only
    """
    from .options import DIST_DIR, selection_from
    from .sheets import SheetSpec
    from .watch import chosen_outputs, watch

    selection = selection_from(levels, up_to, sections)
    sheet = SheetSpec(paper, card, layout, back_offset) if pdf else None
    watch(cards_dir, selection, chosen_outputs(out_dir or DIST_DIR, selection, apkg, sheet, site))
    click.echo("watch: stopped")


@cli.command(name="check-code")
@cards_option
def check_code_command(cards_dir: Path) -> None:
    """Run the cards' code: Python blocks in a fresh interpreter, SQL blocks in an in-memory
    SQLite database; JSON, YAML and shell blocks are parsed.

    A failing block prints as FILE:LINE: problem — how to fix it, and the exit code is 1. Mark a
    block that cannot run by design with <!-- fragment: why --> on the line above its fence;
    cards/README.md shows how a card declares a schema or the output it expects.

    \b
    Example:
      backend-cards check-code
    """
    from .deck import check_code

    checked = check_code(cards_dir)
    click.echo(f"check-code: {checked} block(s) run or parsed, none fails")


@cli.command(name="stats")
@cards_option
@click.option("--json", "as_json", is_flag=True, help="Print the same figures as JSON.")
def stats_command(cards_dir: Path, as_json: bool) -> None:
    """Show cards per section and level, and the syllabus topics that have no card.

    \b
    Example:
      backend-cards stats --json
    """
    from .deck import load_checked
    from .stats import deck_stats, stats_table

    deck = load_checked(cards_dir)
    stats = deck_stats(deck.cards, deck.syllabus)
    click.echo(json.dumps(stats.as_json(), indent=2) if as_json else stats_table(stats, deck.syllabus))


@cli.command(name="ids")
@cards_option
def ids_command(cards_dir: Path) -> None:
    """Give every card that lacks an id one, derived from its question.

    Only the metadata line of each such card changes; everything else in the file stays
    byte for byte. Review the new ids before publishing: an id is forever.

    \b
    Example:
      backend-cards ids
    """
    from .deck import load_parsed
    from .ids import add_missing_ids

    added = add_missing_ids(load_parsed(cards_dir))
    for path, ids in added.items():
        for new_id in ids:
            click.echo(f"{path}: added id '{new_id}'")
    click.echo(f"ids: {sum(map(len, added.values()))} id(s) added")


if __name__ == "__main__":
    cli()
