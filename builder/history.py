"""Note times: a note's modification time changes exactly when its content does.

Anki's default import updates an existing note only if the incoming one is newer, so a fixed
time would silently stop delivering edits, and the wall clock would make builds unreproducible.
The history file maps each note id to the digest of its content and the time that content got.
Unchanged content keeps its time; new or changed content gets one second past the latest time
in the file. That is deterministic from the repository, so two builds of the same sources agree
even before the history file is committed; committing it (tests check it is current) keeps times
rising across releases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .output import write_atomically

HISTORY_FILE = "note-history.json"
#: The time given to the first content ever recorded (2026-01-01 00:00 UTC).
EPOCH = 1_767_225_600


@dataclass(frozen=True)
class Stamp:
    digest: str
    time: int


History = dict[str, Stamp]


def load_history(path: Path) -> History:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {key: Stamp(entry["digest"], int(entry["time"])) for key, entry in data.items()}


def stamp(history: History, digests: dict[str, str]) -> History:
    """The history after recording `digests`; entries of removed notes are kept."""
    latest = max((s.time for s in history.values()), default=EPOCH - 1)
    updated = dict(history)
    for key in sorted(digests):
        known = history.get(key)
        if known is None or known.digest != digests[key]:
            updated[key] = Stamp(digests[key], latest + 1)
    return updated


def save_history(path: Path, history: History) -> None:
    """Write sorted, one entry a line, atomically, and only if something changed."""
    entries = {key: {"digest": s.digest, "time": s.time} for key, s in sorted(history.items())}
    text = "{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in entries.items()) + "\n}\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    write_atomically(path, text.encode("utf-8"))
