"""Each output's build: the deck (deck.py), then the output's emitter. The .apkg build asks the
build cache (cache.py) first: it is the only build that the cache can answer whole.

The deck's stages and the emitters pull in the card parser, Markdown, Pygments, genanki and
Jinja, a tenth of a second to import: they are imported where they are used, so that a build the
cache answers needs none of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .cache import BuildFiles, build_sources, keep_build, kept_build, source_name
from .media import MEDIA_DIR
from .output import check_targets, write_atomically

#: Written beside every .apkg: the notes of the current release, and the package of removal
#: notices that an updating learner imports (a first-time learner does not).
RELEASE_NOTES_FILE = "release-notes.md"
REMOVALS_FILE = "backend-interview-removals.apkg"

if TYPE_CHECKING:
    from .history import History
    from .options import BuildOptions
    from .pdf import SheetsWritten
    from .sheets import SheetSpec
    from .site import SiteWritten


def build_anki(opts: BuildOptions) -> int:
    """Build one .apkg; returns the number of notes written. A build of the same sources with
    the same command line writes again the files the last one wrote (the build cache)."""
    command = f"build {opts.cards_dir.resolve()} {opts.output.resolve()} {opts.selection}"
    check_targets(opts.cards_dir, (opts.output, opts.output.parent / REMOVALS_FILE, opts.output.parent / RELEASE_NOTES_FILE))
    sources = build_sources(opts.cards_dir)
    kept = kept_build(opts.cards_dir, command, sources)
    if kept is not None:
        _write_files(kept.outputs)
        return kept.notes
    built, history, media = _package_files(opts)
    written = _write_build(opts.cards_dir, built, history)
    keep_build(opts.cards_dir, command, sources, written, built, media)
    return built.notes


def _package_files(opts: BuildOptions) -> tuple[BuildFiles, History, tuple[Path, ...]]:
    """The files of a build, the history that times its notes, and the media the package holds."""
    from . import anki
    from .deck import choose, notes_and_history
    from .releases import release_notes, release_settings, removed_cards

    chosen = choose(opts)
    notes, history = notes_and_history(chosen.deck)
    package_notes = tuple(note for note in notes if note.id in chosen.ids)
    media = tuple(sorted({path for r in chosen.cards for path in r.media}))
    notices = tuple(anki.removal_notice(key, s, chosen.deck.syllabus) for key, s in removed_cards(history).items())
    times = {key: s.time for key, s in history.items()}
    types_time = times[anki.NOTE_TYPES_KEY]
    outputs = {opts.output: anki.package_bytes(package_notes, times, anki.note_types(), types_time, media)}
    if notices:
        outputs[opts.output.parent / REMOVALS_FILE] = anki.package_bytes(notices, times, anki.note_types(), types_time, ())
    notes_text = release_notes(history, release_settings().release, chosen.deck.syllabus)
    outputs[opts.output.parent / RELEASE_NOTES_FILE] = notes_text.encode("utf-8")
    return BuildFiles(outputs, len(package_notes)), history, media


def _write_build(cards_dir: Path, built: BuildFiles, history: History) -> dict[str, bytes]:
    """Write the outputs, and the history last, so that a failed write leaves it as it was (the
    next build stamps the same times from it again). Returns the sources the build wrote."""
    from .history import HISTORY_FILE, save_history

    _write_files(built.outputs)
    history_path = cards_dir / HISTORY_FILE
    history_text = save_history(history_path, history)
    return {source_name(cards_dir, history_path): history_text.encode("utf-8")}


def _write_files(outputs: dict[Path, bytes]) -> None:
    for path, data in outputs.items():
        write_atomically(path, data)


def build_pdf(opts: BuildOptions, sheet: SheetSpec, skip_overflow: bool) -> SheetsWritten:
    """Build one PDF of printable card sheets."""
    from . import pdf  # WeasyPrint takes a second to import; only PDF builds need it.
    from .deck import choose

    chosen = choose(opts)
    check_targets(opts.cards_dir, (opts.output,))
    cards = tuple(pdf.print_card(r, chosen.deck.syllabus, opts.cards_dir / MEDIA_DIR) for r in chosen.cards)
    # Laid-out cards are kept beside the card folder, for every later build of the same cards.
    cache_dir = opts.cards_dir.parent / ".cache" / "card-pages"
    return pdf.write_sheets(cards, sheet, opts.cards_dir / MEDIA_DIR, cache_dir, opts.output, skip_overflow)


def build_site(opts: BuildOptions) -> SiteWritten:
    """Build the static study site: a page per section, and an index."""
    from .deck import choose
    from .site import write_site

    chosen = choose(opts)
    return write_site(chosen.cards, chosen.deck.syllabus, opts.output)


def build_export(opts: BuildOptions, fmt: str) -> int:
    """Write the chosen cards for another import route; returns how many."""
    from . import export
    from .deck import choose, notes_and_history

    chosen = choose(opts)
    check_targets(opts.cards_dir, (opts.output,))
    if fmt == "anki-tsv":
        notes, _ = notes_and_history(chosen.deck)
        text = export.anki_tsv(tuple(note for note in notes if note.id in chosen.ids))
    else:
        text = export.quizlet_text(chosen.cards)
    write_atomically(opts.output, text.encode("utf-8"))
    return len(chosen.cards)
