"""Watch: the author's loop. Whenever a card file changes, lint the cards again and rebuild the
chosen outputs, keeping the files that did not change parsed in memory.

The files are polled (their modification time and size, a few milliseconds a look for the
shipped deck) rather than watched through the operating system: no dependency, and the same on
every system and file system, network folders and containers included.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .build import build_anki, build_pdf, build_site
from .cards import Card, LoadResult, card_files, load_card_file
from .deck import check_loaded, report, require_folder
from .errors import BuilderError, Problem
from .filtering import Selection
from .media import MEDIA_DIR
from .options import SITE_DIR, BuildOptions, default_output
from .quality import quality_warnings
from .syllabus import SYLLABUS_FILE

if TYPE_CHECKING:
    from .sheets import SheetSpec

#: Seconds between two looks at the files: an edit is seen within a quarter of a second.
POLL_SECONDS = 0.25
#: A file's modification time (ns) and size: a save changes one or the other.
Stamp = tuple[int, int]


@dataclass(frozen=True)
class ParsedFile:
    """A card file as parsed when it had `stamp`."""

    stamp: Stamp
    cards: tuple[Card, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Output:
    """One output that the watch keeps current: where it goes, and the build that writes it
    (atomically, as every build does) and says what it wrote."""

    path: Path
    build: Callable[[BuildOptions], str]


def chosen_outputs(out_dir: Path, selection: Selection, apkg: bool, sheet: SheetSpec | None, site: bool) -> tuple[Output, ...]:
    """The outputs, under the names that `build`, `pdf` and `site` give them, in `out_dir`."""
    outputs = []
    if apkg:
        outputs.append(Output(out_dir / default_output(selection, ".apkg").name, _package))
    if sheet is not None:
        from .pdf import output_suffix  # WeasyPrint takes a second to import; only PDF builds need it.

        outputs.append(Output(out_dir / default_output(selection, output_suffix(sheet)).name, partial(_sheets, sheet)))
    if site:
        outputs.append(Output(out_dir / SITE_DIR.name, _site))
    return tuple(outputs)


def _package(opts: BuildOptions) -> str:
    return f"{build_anki(opts)} notes"


def _sheets(sheet: SheetSpec, opts: BuildOptions) -> str:
    written = build_pdf(opts, sheet, skip_overflow=False)
    return f"{written.cards} cards on {written.pages} pages"


def _site(opts: BuildOptions) -> str:
    written = build_site(opts)
    return f"{written.cards} cards on {written.pages} pages"


def watch(cards_dir: Path, selection: Selection, outputs: tuple[Output, ...], poll: float = POLL_SECONDS) -> None:
    """Lint and rebuild now, then after every change, until Ctrl-C."""
    require_folder(cards_dir)
    # Ctrl-C ends a watch even when its parent started it with interrupts ignored (a job that a
    # non-interactive shell put in the background inherits that).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parsed: dict[Path, ParsedFile] = {}
    seen: dict[Path, Stamp] = {}
    names = ", ".join(str(output.path) for output in outputs) or "nothing (lint only)"
    click.echo(f"watching {cards_dir} (Ctrl-C to stop); rebuilding {names}")
    try:
        while True:
            paths, stamps = _look(cards_dir)
            if stamps != seen:
                if seen:
                    click.echo(f"changed: {_changes(seen, stamps)}")
                parsed = _parsed(paths, stamps, parsed)
                _round(cards_dir, parsed, selection, outputs)
                seen = stamps
            time.sleep(poll)
    except KeyboardInterrupt:
        return


def _look(cards_dir: Path) -> tuple[list[Path], dict[Path, Stamp]]:
    """The card files, and the stamp of every file that lint reads: the cards, the syllabus,
    the media. Not the note history: the .apkg build writes it."""
    paths = card_files(cards_dir)
    media = sorted(p for p in (cards_dir / MEDIA_DIR).rglob("*") if p.is_file())
    stamps = {}
    for path in (*paths, cards_dir / SYLLABUS_FILE, *media):
        try:
            status = path.stat()
        except FileNotFoundError:  # gone since it was listed: the next look says so
            continue
        stamps[path] = (status.st_mtime_ns, status.st_size)
    return paths, stamps


def _parsed(paths: list[Path], stamps: dict[Path, Stamp], known: dict[Path, ParsedFile]) -> dict[Path, ParsedFile]:
    """Every card file parsed; only those whose stamp changed are read again."""
    parsed = {}
    for path in paths:
        stamp = stamps.get(path)
        if stamp is None:
            continue
        if path in known and known[path].stamp == stamp:
            parsed[path] = known[path]
            continue
        if not path.exists():
            continue
        cards, problems = load_card_file(path)
        parsed[path] = ParsedFile(stamp, tuple(cards), tuple(problems))
    return parsed


def _changes(before: dict[Path, Stamp], after: dict[Path, Stamp]) -> str:
    changed = [str(path) for path in sorted(before.keys() | after.keys()) if before.get(path) != after.get(path)]
    return ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")


def _round(cards_dir: Path, parsed: dict[Path, ParsedFile], selection: Selection, outputs: tuple[Output, ...]) -> None:
    """Lint's checks, then each output's build; a mistake is printed and waits for the next
    change. Lint's check of the note history is left to the .apkg build, which writes it: it
    takes every card rendered."""
    start = time.perf_counter()
    loaded = LoadResult(
        tuple(card for file in parsed.values() for card in file.cards),
        tuple(found for file in parsed.values() for found in file.problems),
    )
    try:
        deck = check_loaded(cards_dir, loaded)
    except BuilderError as exc:
        click.echo(f"lint: {exc.format_message()} ({time.perf_counter() - start:.2f} s)")
        return
    warnings = sorted(quality_warnings(deck.cards, deck.syllabus))
    report(warnings)
    click.echo(f"lint: no errors, {len(warnings)} warning(s) ({time.perf_counter() - start:.2f} s)")
    for output in outputs:
        start = time.perf_counter()
        try:
            wrote = output.build(BuildOptions(cards_dir, output.path, selection))
        except BuilderError as exc:
            click.echo(f"{output.path} not rebuilt: {exc.format_message()}")
            continue
        click.echo(f"rebuilt {output.path} ({wrote}) in {time.perf_counter() - start:.2f} s")
