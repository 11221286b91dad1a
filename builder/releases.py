"""Releases: what each release of the deck added, changed and removed, told to learners.

A release is the version in pyproject.toml. Every build records, in the note history, the release
that added and last changed each note and the one that removed it (history.py), so the release
notes of the current release, the Anki tag that finds its changed notes, and the removal notices
all come from that one file. Anki's import never deletes and adds every unknown note, so removal
notices travel in a package of their own that only updating learners import.
"""

from __future__ import annotations

import html
import tomllib
from dataclasses import dataclass

from . import PROJECT_ROOT, __version__
from .cards import Card
from .errors import Problem, problem
from .history import History, Stamp
from .syllabus import Syllabus

#: The tag on every note a release added or changed: `tag:changed::0.2.0` finds them in Anki.
CHANGED_TAG = "changed::{release}"
#: The tags on every removal notice: `tag:removed` finds all of them.
REMOVED_TAGS = ("removed", "removed::{release}")


@dataclass(frozen=True)
class ReleaseSettings:
    """The project's release and where its card sources can be read, from pyproject.toml."""

    release: str
    #: A URL with {release}, {path} and {line}, or "" when the project names no public repository.
    source_url: str


def release_settings() -> ReleaseSettings:
    data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return ReleaseSettings(__version__, data.get("tool", {}).get("backend-cards", {}).get("source-url", ""))


def source_link(settings: ReleaseSettings, path: str, line: int) -> str:
    """The back's way back to the card's source, shown after its id: a link to the file and line
    at the card's release, or the file's path where the project names no repository."""
    if not settings.source_url:
        return html.escape(path)
    url = settings.source_url.format(release=settings.release, path=path, line=line)
    return f'<a href="{html.escape(url)}">source</a>'


def reused_ids(cards: tuple[Card, ...], history: History) -> list[Problem]:
    """A removed card's id stays removed: a learner may still hold its note and its notice."""
    return [
        problem(card.path, card.line_of("id"), f"id '{card.id}' belonged to a card removed in {stamp.removed}",
                "ids are never reused: give this card a new id")
        for card in cards
        if (stamp := history.get(card.id)) is not None and stamp.removed
    ]


def removed_cards(history: History) -> dict[str, Stamp]:
    """Cards that left the sources after a release shipped them (one added and removed within
    a release never reached a learner, so it needs no notice)."""
    return {key: s for key, s in sorted(history.items()) if s.removed and s.removed != s.added}


def release_notes(history: History, release: str, syllabus: Syllabus) -> str:
    """Markdown: the cards this release added, changed and removed, by section, with questions."""
    groups: dict[str, dict[str, list[str]]] = {}
    for key, s in sorted(history.items(), key=lambda item: (item[1].question.lower(), item[0])):
        if s.removed and s.removed == s.added:
            continue
        kind = "Removed" if s.removed == release else "" if s.removed else "Added" if s.added == release else "Changed" if s.changed == release else ""
        if kind and s.section:
            groups.setdefault(s.section, {}).setdefault(kind, []).append(f"- {s.question} (`{key}`)")
    counts = {kind: sum(len(g.get(kind, [])) for g in groups.values()) for kind in ("Added", "Changed", "Removed")}
    lines = [
        f"# Backend Interview deck {release}",
        "",
        f"Since the previous release: {counts['Added']} cards added, {counts['Changed']} changed, {counts['Removed']} removed.",
        f"In Anki, search `tag:{CHANGED_TAG.format(release=release)}` for the notes this release added or changed.",
    ]
    titles = {s.id: s.title for s in syllabus.sections}
    for section in sorted(groups, key=lambda s: (s not in titles, list(titles).index(s) if s in titles else 0, s)):
        lines += ["", f"## {titles.get(section, section)}"]
        for kind in ("Added", "Changed", "Removed"):
            if kind in groups[section]:
                lines += ["", f"### {kind} ({len(groups[section][kind])})", "", *groups[section][kind]]
    return "\n".join(lines) + "\n"
