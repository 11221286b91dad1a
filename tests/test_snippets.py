"""Card code runs: a wrong snippet fails at its file:line, a fragment by design is skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder import snippets
from builder.cards import load_cards, parse_card_file
from builder.snippets import card_snippets, check_snippets, deck_snippets, how_checked

from .conftest import SHIPPED_CARDS, run

HEADER = "---\nsection: core\ntopic: t\nlevel: mid\n---\n\n## Which code is this?\n<!-- id: c -->\n\n"


def failures(answer: str) -> list[str]:
    """The problems of a one-card file whose answer is `answer`, as printed."""
    cards, problems = parse_card_file(Path("core/t.md"), HEADER + answer)
    assert problems == []
    return [str(p) for p in check_snippets(card_snippets(cards[0]))]


def test_a_failing_python_block_is_reported_at_its_fence_line() -> None:
    found = failures("Some text.\n\n```python\nprint(undefined_name)\n```\n")
    assert len(found) == 1
    assert found[0].startswith("core/t.md:12: python block of 'c' fails: NameError")


def test_python_output_must_match_the_output_block_below() -> None:
    code = "```python\nprint(sum(range(4)))\n```\n\n```output\n{}\n```\n"
    assert failures(code.format(6)) == []
    assert "prints '6', but the card shows '7'" in failures(code.format(7))[0]


def test_sql_runs_after_the_schema_the_card_declares() -> None:
    query = "```sql\nSELECT name FROM users WHERE id = 1;\n```\n"
    assert "no such table: users" in failures(query)[0]
    schema = "<!-- schema\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n-->\n\n"
    assert failures(schema + query) == []


def test_a_fragment_is_skipped_but_must_say_why() -> None:
    assert failures("<!-- fragment: needs a Redis server -->\n```python\nredis.get('k')\n```\n") == []
    found = failures("<!-- fragment: -->\n```python\nredis.get('k')\n```\n")
    assert found and "marked a fragment without a reason" in found[0]


@pytest.mark.parametrize(
    ("language", "code", "message"),
    [
        ("json", '{"a": 1,}', "Expecting property name"),
        ("yaml", "a: [1, 2", "expected ',' or ']'"),
        ("bash", "if true; then echo", "syntax error"),
    ],
)
def test_other_formats_are_parsed(language: str, code: str, message: str) -> None:
    found = failures(f"```{language}\n{code}\n```\n")
    assert len(found) == 1 and message in found[0]


def test_a_snippet_that_never_ends_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snippets, "TIME_LIMIT", 0.5)
    assert "still running after 0.5 s" in failures("```python\nwhile True:\n    pass\n```\n")[0]


def test_languages_without_a_checker_are_counted_unchecked() -> None:
    cards, _ = parse_card_file(Path("core/t.md"), HEADER + "```go\nfunc main() {}\n```\n")
    assert [how_checked(s) for s in card_snippets(cards[0])] == ["unchecked"]


def test_the_comments_that_drive_the_checks_never_reach_a_learner(minimal: Path) -> None:
    card = minimal / "databases" / "isolation.md"
    card.write_text(card.read_text() + "\n<!-- schema\nCREATE TABLE secret_table (x);\n-->\n\n```sql\nSELECT 1;\n```\n")
    assert run("build", "--cards", minimal, "-o", minimal.parent / "d.apkg").exit_code == 0
    from zipfile import ZipFile

    with ZipFile(minimal.parent / "d.apkg") as package:
        assert not any(b"secret_table" in package.read(name) for name in package.namelist())


def test_every_code_block_of_the_shipped_deck_runs_or_is_marked() -> None:
    found = check_snippets(deck_snippets(load_cards(SHIPPED_CARDS).cards))
    assert found == [], "\n".join(map(str, found))


def test_a_block_of_pytest_tests_is_run_as_tests() -> None:
    assert failures("```python\ndef test_sum():\n    assert sum([1, 2]) == 3\n```\n") == []
    found = failures("```python\ndef test_sum():\n    assert sum([1, 2]) == 4\n```\n")
    assert found and "1 failed" in found[0]
