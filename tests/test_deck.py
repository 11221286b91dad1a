"""The shipped deck itself: clean under the strictest lint, and its note history committed."""

from __future__ import annotations

from pathlib import Path

from builder.history import HISTORY_FILE

from .conftest import SHIPPED_CARDS, run


def test_shipped_deck_passes_strict_lint(shipped: Path) -> None:
    result = run("lint", "--strict", "--cards", shipped)
    assert result.exit_code == 0, result.output
    assert "lint: no errors, 0 warning(s)" in result.output


def test_note_history_is_committed_up_to_date(shipped: Path, tmp_path: Path) -> None:
    """A stale history would give an edited card an old time, and Anki would skip the edit."""
    committed = (SHIPPED_CARDS / HISTORY_FILE).read_text()
    run("build", "--cards", shipped, "-o", tmp_path / "deck.apkg")
    assert (shipped / HISTORY_FILE).read_text() == committed
