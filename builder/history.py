"""Note times: a note's modification time changes exactly when its content does.

Anki's default import updates an existing note only if the incoming one is newer, so a fixed
time would silently stop delivering edits, and the wall clock would make builds unreproducible.
The history file maps each note id to the digest of its content and the time that content got,
with the releases that added, last changed and removed it (see releases.py). Unchanged content
keeps its time; new or changed content gets one second past the latest time in the file. That is deterministic from the repository, so two builds of the same sources agree
even before the history file is committed; committing it (tests check it is current) keeps times
rising across releases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import problem
from .output import write_atomically
from .sources import MAX_HISTORY_BYTES, SourceError, read_source

HISTORY_FILE = "note-history.json"
#: The time given to the first content ever recorded (2026-01-01 00:00 UTC).
EPOCH = 1_767_225_600


@dataclass(frozen=True)
class Stamp:
    digest: str
    time: int
    #: The release whose build first recorded the note, and the one that last changed it.
    added: str = ""
    changed: str = ""
    #: The release in which the card left the sources; "" while it is in them.
    removed: str = ""
    #: What the release notes and a removal notice need once the card itself is gone.
    kind: str = ""
    section: str = ""
    question: str = ""


@dataclass(frozen=True)
class NoteFacts:
    """What a build knows of a note it writes: its content digest, and how to name it later."""

    digest: str
    kind: str = ""
    section: str = ""
    question: str = ""


History = dict[str, Stamp]
FACTS = ("kind", "section", "question")
#: Read directly: `dataclasses.asdict` copies each value deeply, too slow for ten thousand notes.
STAMP_FIELDS = tuple(f.name for f in fields(Stamp))


def load_history(path: Path) -> History:
    """The history file's entries; a file that is not what `save_history` writes (hand-edited,
    cut off by a merge) is a SourceError at its line: times from a guess would be worse."""
    if not path.exists() and not path.is_symlink():
        return {}
    text = read_source(path, MAX_HISTORY_BYTES).text
    hint = "restore it from version control (git checkout -- cards/note-history.json)"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(problem(path, exc.lineno, f"the note history is not valid JSON: {exc.msg}", hint)) from None
    if not isinstance(data, dict):
        raise SourceError(problem(path, 1, "the note history is not a mapping of note ids to entries", hint))
    history: History = {}
    for key, entry in data.items():
        try:
            history[key] = _stamp(entry)
        except (TypeError, ValueError) as exc:
            # Looked up only now: finding every entry's line takes longer than reading them. The
            # last line of the key, as the entry json.loads kept is the last.
            line = max((number for number, entry_key in _entry_keys(text) if entry_key == key), default=1)
            raise SourceError(problem(path, line, f"note history entry '{key}' is malformed: {exc}", hint)) from None
    return history


def _stamp(entry: object) -> Stamp:
    if not isinstance(entry, dict):
        raise TypeError("not a mapping")
    unknown = set(entry) - set(STAMP_FIELDS)
    if unknown or "digest" not in entry or "time" not in entry:
        raise TypeError(f"unknown keys {sorted(unknown)}" if unknown else "no digest or no time")
    if not isinstance(entry["time"], int) or isinstance(entry["time"], bool):
        raise TypeError("its time is not a whole number")
    if not all(isinstance(value, str) for name, value in entry.items() if name != "time"):
        raise TypeError("a value other than its time is not text")
    return Stamp(**entry)


def _entry_keys(text: str):
    """(line number, key) of each entry, one a line as save_history writes them."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith('  "') and '": ' in line:
            try:
                yield number, json.loads(line[2 : line.index('": ') + 1])
            except json.JSONDecodeError:
                continue


def stamp(history: History, notes: dict[str, NoteFacts], release: str) -> History:
    """The history after a build of `release` wrote `notes`: new or changed content gets a new
    time and the release, content that left the sources is marked removed; entries are never
    dropped, so an id is never given to a different card."""
    latest = max((s.time for s in history.values()), default=EPOCH - 1)
    updated = dict(history)
    for key in sorted(notes):
        facts, known = notes[key], history.get(key)
        names = {name: getattr(facts, name) for name in FACTS}
        if known is None or known.digest != facts.digest or known.removed:
            added = known.added if known and not known.removed else release
            updated[key] = Stamp(facts.digest, latest + 1, added=added, changed=release, **names)
        elif any(getattr(known, name) != value for name, value in names.items()) or not known.changed:
            # Same content, named anew (or recorded before releases were): no new time.
            updated[key] = replace(known, added=known.added or release, changed=known.changed or release, **names)
    for key, known in history.items():
        if key not in notes and not known.removed:
            updated[key] = replace(known, time=latest + 1, removed=release)
    return updated


def save_history(path: Path, history: History) -> str:
    """Write sorted, one entry a line, atomically, and only if something changed; returns the
    file's text."""
    lines = [f"  {json.dumps(key, ensure_ascii=False)}: {json.dumps(_entry(s), ensure_ascii=False)}" for key, s in sorted(history.items())]
    text = "{\n" + ",\n".join(lines) + "\n}\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        write_atomically(path, text.encode("utf-8"))
    return text


def _entry(s: Stamp) -> dict[str, str | int]:
    """A stamp without its empty fields."""
    return {name: value for name in STAMP_FIELDS if (value := getattr(s, name)) != ""}
