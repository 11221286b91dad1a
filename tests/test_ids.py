"""`ids` writes the missing ids and changes nothing else."""

from __future__ import annotations

from pathlib import Path

from .conftest import run


def test_missing_ids_are_added_and_nothing_else_changes(minimal: Path) -> None:
    status = minimal / "apis" / "status.md"
    before = status.read_text()
    without = before.replace("<!-- id: status-401; ", "<!-- ").replace("<!-- id: status-403; level: principal; ref: RFC 9110 §15.5.4 -->\n", "")
    status.write_text(without)

    result = run("ids", "--cards", minimal)

    assert result.exit_code == 0, result.output
    after = status.read_text()
    assert "<!-- id: status-code-answers-request-lacks-valid-credentials; ref: RFC 9110 §15.5.2 -->" in after
    assert "<!-- id: status-code-refuses-authenticated-client-lacks-permission -->" in after
    removed_lines = [line for line in without.splitlines() if line not in after.splitlines()]
    assert removed_lines == ["<!-- ref: RFC 9110 §15.5.2 -->"]
    assert len(after.splitlines()) == len(without.splitlines()) + 1
    assert "ids: 2 id(s) added" in result.output
    assert run("lint", "--cards", minimal).exit_code == 0


def test_ids_is_idempotent(minimal: Path) -> None:
    before = {p: p.read_bytes() for p in minimal.rglob("*.md")}
    result = run("ids", "--cards", minimal)
    assert "ids: 0 id(s) added" in result.output
    assert {p: p.read_bytes() for p in minimal.rglob("*.md")} == before
