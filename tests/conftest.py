"""Shared fixtures: throwaway copies of card folders, the CLI, and a real Anki collection."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from builder.__main__ import cli

FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED_CARDS = Path(__file__).parent.parent / "cards"


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A copy of the small fixture deck, safe to edit."""
    return Path(shutil.copytree(FIXTURES / "minimal", tmp_path / "cards"))


@pytest.fixture(scope="session")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the real deck, so builds never touch the checkout's history file."""
    return Path(shutil.copytree(SHIPPED_CARDS, tmp_path_factory.mktemp("shipped") / "cards"))


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def build(cards: Path, output: Path, *filters: str) -> Path:
    result = run("build", "--cards", cards, "-o", output, *filters)
    assert result.exit_code == 0, result.output
    return output


@dataclass(frozen=True)
class ImportLog:
    new: int
    updated: int
    duplicate: int
    conflicting: int


class AnkiCollection:
    """A real collection from the official `anki` backend, importing with Anki's defaults."""

    def __init__(self, path: Path) -> None:
        from anki.collection import Collection

        self.path = path
        self.col = Collection(str(path))

    def import_package(self, apkg: Path) -> ImportLog:
        from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
        from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as Condition

        # The options of Anki's import dialog by default: update notes and note types if newer.
        options = ImportAnkiPackageOptions(
            merge_notetypes=False,
            update_notes=Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
            update_notetypes=Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
            with_scheduling=False,
            with_deck_configs=False,
        )
        log = self.col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options)).log
        return ImportLog(len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting))

    def reopen(self) -> None:
        """The Python side caches note types; a fresh handle sees what the import wrote."""
        from anki.collection import Collection

        self.col.close()
        self.col = Collection(str(self.path))

    def note_by_guid(self, guid: str):
        note_ids = self.col.db.list("select id from notes where guid = ?", guid)
        assert len(note_ids) == 1, f"{len(note_ids)} notes with guid {guid}"
        return self.col.get_note(note_ids[0])

    def close(self) -> None:
        self.col.close()


@pytest.fixture
def collection(tmp_path: Path):
    col = AnkiCollection(tmp_path / "collection.anki2")
    yield col
    col.close()
