"""The command line as a user meets it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from builder import __version__

from .conftest import run


@pytest.mark.parametrize("command", ["build", "lint", "stats", "ids", "check-code", "export", "site", "watch"])
def test_every_command_explains_itself_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output
    assert "--cards" in result.output


def test_version() -> None:
    assert run("--version").output.strip() == f"backend-cards, version {__version__}"


def test_stats_json(minimal: Path) -> None:
    result = run("stats", "--cards", minimal, "--json")
    data = json.loads(result.output)
    assert data["total"] == 6
    assert data["by_level"] == {"junior": 2, "mid": 1, "senior": 1, "staff": 1, "principal": 1}
    assert data["by_section"] == {"databases": 4, "apis": 2}
    assert data["covered_topics"] == ["isolation", "indexes", "status-codes"]
    assert data["uncovered_topics"] == ["unused-topic"]
    assert data["by_section_trait"] == {
        "databases": {"why": 0, "scenario": 0, "cloze": 1, "ref": 1},
        "apis": {"why": 0, "scenario": 0, "cloze": 0, "ref": 2},
    }


def test_stats_table_shows_the_shares_of_judgement_and_sources(minimal: Path) -> None:
    lines = run("stats", "--cards", minimal).output.splitlines()
    assert lines[lines.index(next(line for line in lines if line.startswith("share"))) + 2].split() == ["databases", "0%", "0%", "25%", "25%"]


def test_filters_choose_cards(minimal: Path, tmp_path: Path) -> None:
    assert "(2 notes)" in run("build", "--cards", minimal, "--up-to", "mid", "--section", "databases", "-o", tmp_path / "a.apkg").output
    assert "(2 notes)" in run("build", "--cards", minimal, "--level", "junior", "-o", tmp_path / "b.apkg").output
    assert "(3 notes)" in run("build", "--cards", minimal, "--level", "staff", "--level", "principal", "--level", "senior", "-o", tmp_path / "c.apkg").output


def test_default_output_names_the_filter(minimal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("build", "--cards", minimal, "--up-to", "senior")
    assert result.output.strip() == "wrote dist/backend-interview-up-to-senior.apkg (4 notes)"
    assert (tmp_path / "dist" / "backend-interview-up-to-senior.apkg").is_file()


def test_console_script_runs_as_a_user_would(minimal: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "backend-cards"
    process = subprocess.run([str(script), "build", "--cards", str(minimal), "-o", str(tmp_path / "d.apkg")], capture_output=True, text=True)
    assert process.returncode == 0, process.stderr
    assert (tmp_path / "d.apkg").stat().st_size > 1000
