"""The deck every command starts from: load → validate → select → render, each stage in its
module. Every build loads and validates the cards again; the HTML, the slowest stage's, is
rendered once per process however many outputs ask for it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cards import Card, LoadResult, load_cards, without_cloze_markup
from .diagrams import LANGUAGE as DIAGRAM_LANGUAGE, diagram_problems
from .errors import BuildAborted, BuilderError, Problem
from .filtering import Selection, select
from .history import HISTORY_FILE, History, NoteFacts, load_history, stamp
from .media import MEDIA_DIR, media_files, media_problems
from .options import BuildOptions, check_sections
from .releases import CHANGED_TAG, release_settings, reused_ids, source_link
from .snippets import deck_snippets
from .sources import SourceError
from .syllabus import Syllabus, load_syllabus
from .validate import validate

if TYPE_CHECKING:
    from .anki import AnkiNote
    from .render import RenderedCard


@dataclass(frozen=True)
class CheckedDeck:
    """The whole deck after validation: every later stage starts from this."""

    cards_dir: Path
    syllabus: Syllabus
    cards: tuple[Card, ...]
    #: The note history as the last build left it.
    history: History


def load_parsed(cards_dir: Path) -> tuple[Card, ...]:
    """Load the card files; abort if any cannot be parsed."""
    loaded = _load(cards_dir)
    abort_on_errors(list(loaded.problems))
    return loaded.cards


def load_checked(cards_dir: Path) -> CheckedDeck:
    """Load and validate; print every error and abort once if there is any."""
    return check_loaded(cards_dir, _load(cards_dir))


def check_loaded(cards_dir: Path, loaded: LoadResult) -> CheckedDeck:
    """Validate cards loaded from `cards_dir` (a watch keeps the files it parsed); print every
    error and abort once if there is any."""
    syllabus, syllabus_problems = load_syllabus(cards_dir)
    if not syllabus.sections:
        # Without a single section every card would be reported unknown: the syllabus's own
        # problems, and the cards' format errors, are what there is to fix first.
        abort_on_errors([*syllabus_problems, *loaded.problems])
    try:
        history = load_history(cards_dir / HISTORY_FILE)
    except SourceError as exc:
        abort_on_errors([*syllabus_problems, *loaded.problems, exc.problem])
    problems = [*syllabus_problems, *loaded.problems, *validate(loaded.cards, syllabus), *reused_ids(loaded.cards, history)]
    if not problems:
        diagrams = [(s.card.path, s.line, s.card.id, s.code) for s in deck_snippets(loaded.cards) if s.language == DIAGRAM_LANGUAGE]
        problems = diagram_problems(diagrams)
    abort_on_errors(problems)
    return CheckedDeck(cards_dir, syllabus, loaded.cards, history)


def _load(cards_dir: Path) -> LoadResult:
    require_folder(cards_dir)
    return load_cards(cards_dir)


def require_folder(cards_dir: Path) -> None:
    if not cards_dir.is_dir():
        raise BuilderError(f"card folder '{cards_dir}' isn't an existing directory — pass --cards DIR")


def abort_on_errors(errors: list[Problem]) -> None:
    report(sorted(errors))
    if errors:
        raise BuildAborted(errors)


def lint(cards_dir: Path, strict: bool) -> list[Problem]:
    """Errors abort as in a build; quality warnings are printed, and fatal with `strict`."""
    from .quality import quality_warnings

    deck = load_checked(cards_dir)
    warnings = [*sorted(quality_warnings(deck.cards, deck.syllabus)), *history_warnings(deck)]
    report(warnings)
    if strict and warnings:
        raise BuilderError(f"{len(warnings)} warning(s) with --strict")
    return warnings


def history_warnings(deck: CheckedDeck) -> list[Problem]:
    """The committed note history must be the one a build of these cards writes (tests check
    it). Telling takes every card rendered, by far the slowest of lint's checks."""
    _, history = notes_and_history(deck)
    if history == deck.history:
        return []
    return [Problem(str(deck.cards_dir / HISTORY_FILE), 1, "note history is out of date", "run 'make' (or 'backend-cards build') and commit it", "warning")]


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


def _chosen_ids(deck: CheckedDeck, selection: Selection) -> set[str]:
    check_sections(selection, deck.syllabus)
    chosen_ids = {card.id for card in select(deck.cards, selection)}
    if not chosen_ids:
        raise BuilderError("no card matches the filters — check --level, --up-to and --section")
    return chosen_ids


def notes_and_history(deck: CheckedDeck) -> tuple[tuple[AnkiNote, ...], History]:
    """Anki notes for every card, and the history that times them (always the whole deck,
    so that every filtered build gives a note the same time). Each note is tagged with the
    release that last changed it."""
    from . import anki

    settings = release_settings()
    files = {path: path.relative_to(deck.cards_dir.parent).as_posix() for path in {card.path for card in deck.cards}}
    notes = tuple(anki.to_anki_note(r, deck.syllabus, source_link(settings, files[r.card.path], r.card.line)) for r in _rendered(deck))
    facts = {
        note.id: NoteFacts(note.digest, r.card.kind, r.card.section, without_cloze_markup(r.card.question))
        for note, r in zip(notes, _rendered(deck))
    }
    facts[anki.NOTE_TYPES_KEY] = NoteFacts(anki.note_types_digest(anki.note_types()))
    history = stamp(deck.history, facts, settings.release)
    tagged = tuple(replace(note, release_tags=(CHANGED_TAG.format(release=history[note.id].changed),)) for note in notes)
    return tagged, history


def _rendered(deck: CheckedDeck) -> tuple[RenderedCard, ...]:
    """Render each card once per process, however many outputs use it, and once per content
    across processes (the render cache)."""
    return _rendered_cards(deck.cards, deck.cards_dir, media_files(deck.cards_dir / MEDIA_DIR))


@lru_cache(maxsize=1)
def _rendered_cards(cards: tuple[Card, ...], cards_dir: Path, media: tuple[tuple[str, int, int, int], ...]) -> tuple[RenderedCard, ...]:
    """The latest deck's HTML alone is kept in memory: the outputs of one build ask for it
    again, while a watch renders a new deck at every edit and never asks for an older one.
    The media files are part of the key: a watch sees an image deleted, added or replaced."""
    from .render import rendered_cards

    rendered = rendered_cards(cards, cards_dir)
    # Images are checked as rendered: every way of writing one has become an <img> by then.
    abort_on_errors(media_problems(rendered, cards_dir / MEDIA_DIR))
    return rendered


def report(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(str(p), err=True)
