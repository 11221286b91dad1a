"""Every malformed input: one line `file:line: what — fix`, exit code 1, dist/ untouched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import run

STATUS = "apis/status.md"
ISOLATION = "databases/isolation.md"


def replace(path: str, old: str, new: str):
    def mutate(cards: Path) -> None:
        target = cards / path
        text = target.read_text()
        assert old in text, old
        target.write_text(text.replace(old, new, 1))

    return mutate


def add_file(path: str, text: str):
    return lambda cards: (cards / path).write_text(text)


CASES = {
    "broken front matter": (replace(STATUS, "topic: status-codes", "topic: [status"), "apis/status.md:3: broken front matter"),
    "missing front matter": (replace(STATUS, "---\nsection", "section"), "apis/status.md:1: missing YAML front matter"),
    "card without id": (replace(STATUS, "<!-- id: status-401; ", "<!-- "), "apis/status.md:8: card 'Which status code answers a request that lacks va…' has no id"),
    "duplicate id": (
        add_file("apis/more.md", "---\nsection: apis\ntopic: status-codes\nlevel: junior\n---\n\n## Which code means gone?\n<!-- id: status-401 -->\n\n410.\n"),
        "apis/status.md:8: duplicate id 'status-401' (also at",
    ),
    "unknown section": (replace(STATUS, "section: apis", "section: frontend"), "apis/status.md:2: unknown section 'frontend'"),
    "unknown topic": (replace(STATUS, "topic: status-codes", "topic: teapots"), "apis/status.md:3: unknown topic 'teapots'"),
    "topic of another section": (replace(STATUS, "topic: status-codes", "topic: indexes"), "apis/status.md:3: topic 'indexes' belongs to section 'databases'"),
    "unknown level": (replace(STATUS, "level: principal", "level: expert"), "apis/status.md:13: unknown level 'expert'"),
    "empty answer": (replace(STATUS, "**403 Forbidden**: re-authenticating will not help.", ""), "apis/status.md:12: card 'status-403' has an empty answer"),
    "cloze without deletion": (replace(ISOLATION, "{{c1::snapshot isolation}}", "snapshot isolation"), "databases/isolation.md:16: cloze card has no deletion"),
    "missing image": (replace("databases/indexes.md", "../media/tree.png", "../media/forest.png"), "databases/indexes.md:16: image '../media/forest.png' not found"),
    "unknown metadata key": (replace(STATUS, "<!-- id: status-403;", "<!-- id: status-403; colour: red;"), "apis/status.md:13: unknown metadata key 'colour'"),
    "unclosed metadata comment": (replace(STATUS, "ref: RFC 9110 §15.5.4 -->", "ref: RFC 9110"), "apis/status.md:13: metadata comment is not closed on its line"),
    "bad id": (replace(STATUS, "id: status-403", "id: Status_403"), "apis/status.md:13: id 'Status_403' is not lowercase kebab-case"),
    "field separator in an answer": (replace(STATUS, "re-authenticating will not help.", "re-authenticating\x1f will not help."), "apis/status.md:15: card 'status-403' contains the control character U+001F"),
    "a release tag by hand": (replace(STATUS, "<!-- id: status-403;", "<!-- id: status-403; tags: changed::0.1.0;"), "apis/status.md:13: tag 'changed::0.1.0' is reserved"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_malformed_input_fails_cleanly(case: str, minimal: Path, tmp_path: Path) -> None:
    mutate, expected = CASES[case]
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "backend-interview.apkg").write_bytes(b"previous build")
    mutate(minimal)

    result = run("build", "--cards", minimal, "-o", dist / "backend-interview.apkg")

    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    located = [line.replace(str(minimal) + "/", "") for line in lines[:-1]]
    assert any(line.startswith(expected) for line in located), result.output
    assert all(" — " in line for line in located), result.output
    assert lines[-1].startswith("Error: ") and "nothing was written" in lines[-1]
    assert sorted(os.listdir(dist)) == ["backend-interview.apkg"]
    assert (dist / "backend-interview.apkg").read_bytes() == b"previous build"


def test_all_errors_of_a_run_are_reported_together(minimal: Path) -> None:
    replace(STATUS, "level: principal", "level: expert")(minimal)
    replace(ISOLATION, "{{c1::snapshot isolation}}", "snapshot isolation")(minimal)
    result = run("lint", "--cards", minimal)
    assert result.exit_code == 1
    assert "unknown level 'expert'" in result.output
    assert "cloze card has no deletion" in result.output
    assert "Error: 2 error(s) in the cards" in result.output


def test_real_command_prints_no_traceback(minimal: Path, tmp_path: Path) -> None:
    replace(STATUS, "section: apis", "section: frontend")(minimal)
    process = subprocess.run(
        [sys.executable, "-m", "builder", "build", "--cards", str(minimal), "-o", str(tmp_path / "out.apkg")],
        capture_output=True,
        text=True,
    )
    assert process.returncode == 1
    assert "Traceback" not in process.stderr
    assert "unknown section 'frontend' — expected one of: databases, apis" in process.stderr
    assert not (tmp_path / "out.apkg").exists()


def test_missing_card_folder_is_one_line(tmp_path: Path) -> None:
    result = run("build", "--cards", tmp_path / "nowhere")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: card folder '{tmp_path / 'nowhere'}' isn't an existing directory — pass --cards DIR"


def test_level_filters_exclude_each_other(minimal: Path) -> None:
    result = run("build", "--cards", minimal, "--level", "mid", "--up-to", "senior")
    assert result.exit_code == 1
    assert "--level and --up-to cannot be combined" in result.output
