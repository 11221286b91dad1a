"""Orchestration only: load → validate → select → render → emit, each stage in its module."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import anki, export
from .cards import Card, LoadResult, load_cards, without_cloze_markup
from .diagrams import LANGUAGE as DIAGRAM_LANGUAGE, diagram_problems
from .errors import BuildAborted, BuilderError, Problem
from .filtering import Selection, select
from .history import HISTORY_FILE, History, NoteFacts, load_history, save_history, stamp
from .media import MEDIA_DIR
from .options import BuildOptions, check_sections
from .output import write_atomically
from .quality import quality_warnings
from .releases import CHANGED_TAG, release_notes, release_settings, removed_cards, reused_ids, source_link
from .render import RenderedCard, render_cards
from .site import SiteWritten, write_site
from .snippets import deck_snippets
from .sheets import SheetSpec
from .syllabus import Syllabus, load_syllabus
from .validate import validate

#: Written beside every .apkg: the notes of the current release, and the package of removal
#: notices that an updating learner imports (a first-time learner does not).
RELEASE_NOTES_FILE = "release-notes.md"
REMOVALS_FILE = "backend-interview-removals.apkg"

if TYPE_CHECKING:
    from .pdf import SheetsWritten


@dataclass(frozen=True)
class CheckedDeck:
    """The whole deck after validation: every later stage starts from this."""

    cards_dir: Path
    syllabus: Syllabus
    cards: tuple[Card, ...]


def load_parsed(cards_dir: Path) -> tuple[Card, ...]:
    """Load the card files; abort if any cannot be parsed."""
    loaded = _load(cards_dir)
    abort_on_errors(list(loaded.problems))
    return loaded.cards


def load_checked(cards_dir: Path) -> CheckedDeck:
    """Load and validate; print every error and abort once if there is any."""
    loaded = _load(cards_dir)
    syllabus = load_syllabus(cards_dir)
    history = load_history(cards_dir / HISTORY_FILE)
    problems = [*loaded.problems, *validate(loaded.cards, syllabus, cards_dir / MEDIA_DIR), *reused_ids(loaded.cards, history)]
    if not problems:
        diagrams = [(s.card.path, s.line, s.card.id, s.code) for s in deck_snippets(loaded.cards) if s.language == DIAGRAM_LANGUAGE]
        problems = diagram_problems(diagrams)
    abort_on_errors(problems)
    return CheckedDeck(cards_dir, syllabus, loaded.cards)


def _load(cards_dir: Path) -> LoadResult:
    if not cards_dir.is_dir():
        raise BuilderError(f"card folder '{cards_dir}' isn't an existing directory — pass --cards DIR")
    return load_cards(cards_dir)


def abort_on_errors(errors: list[Problem]) -> None:
    report(sorted(errors))
    if errors:
        raise BuildAborted(errors)


def lint(cards_dir: Path, strict: bool) -> list[Problem]:
    """Errors abort as in a build; quality warnings are printed, and fatal with `strict`."""
    deck = load_checked(cards_dir)
    warnings = sorted(quality_warnings(deck.cards, deck.syllabus))
    _, history = _notes_and_history(deck)
    if history != load_history(cards_dir / HISTORY_FILE):
        warnings.append(
            Problem(str(cards_dir / HISTORY_FILE), 1, "note history is out of date", "run 'make' (or 'backend-cards build') and commit it", "warning")
        )
    report(warnings)
    if strict and warnings:
        raise BuilderError(f"{len(warnings)} warning(s) with --strict")
    return warnings


def check_code(cards_dir: Path) -> int:
    """Run or parse every card's code; print each failing block and abort. Returns how many
    blocks were checked."""
    from .snippets import check_snippets, how_checked

    snippets = deck_snippets(load_checked(cards_dir).cards)
    failures = check_snippets(snippets)
    report(failures)
    if failures:
        raise BuilderError(f"{len(failures)} code block(s) fail")
    return sum(how_checked(s) in ("run", "parsed") for s in snippets)


@dataclass(frozen=True)
class Chosen:
    """What every output starts from: the checked deck, and the cards the filters chose,
    rendered once for all outputs."""

    deck: CheckedDeck
    cards: tuple[RenderedCard, ...]

    @cached_property
    def ids(self) -> frozenset[str]:
        return frozenset(r.card.id for r in self.cards)


def choose(opts: BuildOptions) -> Chosen:
    deck = load_checked(opts.cards_dir)
    chosen_ids = _chosen_ids(deck, opts.selection)
    return Chosen(deck, tuple(r for r in _rendered(deck) if r.card.id in chosen_ids))


def build_anki(opts: BuildOptions) -> int:
    """Build one .apkg; returns the number of notes written."""
    chosen = choose(opts)
    notes, history = _notes_and_history(chosen.deck)
    package_notes = tuple(note for note in notes if note.id in chosen.ids)
    media = tuple(sorted({path for r in chosen.cards for path in r.media}))
    notices = tuple(anki.removal_notice(key, s, chosen.deck.syllabus) for key, s in removed_cards(history).items())
    # Gather everything first, then write: the history, then the packages and the notes.
    save_history(opts.cards_dir / HISTORY_FILE, history)
    times = {key: s.time for key, s in history.items()}
    types_time = times[anki.NOTE_TYPES_KEY]
    anki.write_package(package_notes, times, anki.note_types(), types_time, media, opts.output)
    if notices:
        anki.write_package(notices, times, anki.note_types(), types_time, (), opts.output.parent / REMOVALS_FILE)
    notes_text = release_notes(history, release_settings().release, chosen.deck.syllabus)
    write_atomically(opts.output.parent / RELEASE_NOTES_FILE, notes_text.encode("utf-8"))
    return len(package_notes)


def build_pdf(opts: BuildOptions, sheet: SheetSpec, skip_overflow: bool) -> SheetsWritten:
    """Build one PDF of printable card sheets."""
    from . import pdf  # WeasyPrint takes a second to import; only PDF builds need it.

    chosen = choose(opts)
    cards = tuple(pdf.print_card(r, chosen.deck.syllabus) for r in chosen.cards)
    # Laid-out cards are kept beside the card folder, for every later build of the same cards.
    cache_dir = opts.cards_dir.parent / ".cache" / "card-pages"
    return pdf.write_sheets(cards, sheet, opts.cards_dir / MEDIA_DIR, cache_dir, opts.output, skip_overflow)


def build_site(opts: BuildOptions) -> SiteWritten:
    """Build the static study site: a page per section, and an index."""
    chosen = choose(opts)
    return write_site(chosen.cards, chosen.deck.syllabus, opts.output)


def build_export(opts: BuildOptions, fmt: str) -> int:
    """Write the chosen cards for another import route; returns how many."""
    chosen = choose(opts)
    if fmt == "anki-tsv":
        notes, _ = _notes_and_history(chosen.deck)
        text = export.anki_tsv(tuple(note for note in notes if note.id in chosen.ids))
    else:
        text = export.quizlet_text(chosen.cards)
    write_atomically(opts.output, text.encode("utf-8"))
    return len(chosen.cards)


def _chosen_ids(deck: CheckedDeck, selection: Selection) -> set[str]:
    check_sections(selection, deck.syllabus)
    chosen_ids = {card.id for card in select(deck.cards, selection)}
    if not chosen_ids:
        raise BuilderError("no card matches the filters — check --level, --up-to and --section")
    return chosen_ids


def _notes_and_history(deck: CheckedDeck) -> tuple[tuple[anki.AnkiNote, ...], History]:
    """Anki notes for every card, and the history that times them (always the whole deck,
    so that every filtered build gives a note the same time). Each note is tagged with the
    release that last changed it."""
    settings = release_settings()
    root = deck.cards_dir.parent
    notes = tuple(
        anki.to_anki_note(r, deck.syllabus, source_link(settings, r.card.path.relative_to(root).as_posix(), r.card.line))
        for r in _rendered(deck)
    )
    facts = {
        note.id: NoteFacts(note.digest, r.card.kind, r.card.section, without_cloze_markup(r.card.question))
        for note, r in zip(notes, _rendered(deck))
    }
    facts[anki.NOTE_TYPES_KEY] = NoteFacts(anki.note_types_digest(anki.note_types()))
    history = stamp(load_history(deck.cards_dir / HISTORY_FILE), facts, settings.release)
    tagged = tuple(replace(note, release_tags=(CHANGED_TAG.format(release=history[note.id].changed),)) for note in notes)
    return tagged, history


_render_cache: dict[tuple[Card, ...], tuple[RenderedCard, ...]] = {}


def _rendered(deck: CheckedDeck) -> tuple[RenderedCard, ...]:
    """Render each card once per process, however many outputs use it."""
    if deck.cards not in _render_cache:
        _render_cache[deck.cards] = render_cards(deck.cards, deck.cards_dir / MEDIA_DIR)
    return _render_cache[deck.cards]


def report(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(str(p), err=True)
