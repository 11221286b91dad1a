"""Card code: every fenced block of a card, run or parsed, so that a wrong snippet fails at its
file:line before it reaches a learner.

Python blocks run in a fresh interpreter and SQL blocks in an in-memory SQLite database (after
the schema the card declares); JSON, YAML and shell blocks are parsed. A block that cannot run
by design (it needs a server, or shows another engine's dialect) says why on the line above its
fence; blocks of every other language are counted as unchecked. cards/README.md shows the
markers.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from .cards import Card
from .errors import Problem, problem
from .fences import blocks

#: `<!-- fragment: why this block cannot run -->`, right above a fence.
FRAGMENT = re.compile(r"<!--\s*fragment:(?P<reason>[^\n]*?)-->\s*\Z")
#: `<!-- schema` … `-->`: SQL that the card's SQL blocks run after, hidden from the reader.
SCHEMA = re.compile(r"<!--\s*schema\s*\n(?P<sql>.*?)-->", re.DOTALL)
#: The language of a block that shows what the Python block right above it prints.
OUTPUT = "output"
#: A Python block that defines pytest tests.
PYTEST_TESTS = re.compile(r"^\s*(async\s+)?def test_\w*\(", re.MULTILINE)
#: Seconds one snippet may run: a hang detector, with room for a busy machine (the slowest
#: block, a Hypothesis property, takes about 2 s on an idle one).
TIME_LIMIT = 30.0


@dataclass(frozen=True)
class Snippet:
    card: Card
    language: str
    code: str
    #: Line of the opening fence in the card file.
    line: int
    #: Why the block cannot run by design; "" for a block that should.
    fragment: str | None = None
    #: What the block prints, when the card shows it in an `output` block right below.
    expected_output: str | None = None
    #: The card's hidden SQL schema.
    schema: str = ""

    @property
    def where(self) -> str:
        return f"{self.language or 'unlabelled'} block of '{self.card.id}'"


def card_snippets(card: Card) -> list[Snippet]:
    """The card's code blocks in order, front first; an `output` block belongs to the block right above it."""
    schema = "\n".join(match.group("sql") for match in SCHEMA.finditer(card.prompt + "\n" + card.answer))
    return [
        *_blocks(card, card.prompt, card.line_of("prompt_start"), schema),
        *_blocks(card, card.answer, card.line_of("answer_start"), schema),
    ]


def _blocks(card: Card, text: str, first_line: int, schema: str) -> list[Snippet]:
    found: list[Snippet] = []
    previous_end: int | None = None
    for block in blocks(text):
        if block.language == OUTPUT:
            if previous_end is not None and not text[previous_end : block.start].strip():
                found[-1] = replace(found[-1], expected_output=block.code)
            previous_end = None
            continue
        marker = FRAGMENT.search(text, 0, block.start)
        reason = marker.group("reason").strip() if marker else None
        found.append(Snippet(card, block.language, block.code, first_line + block.line, reason, None, schema))
        previous_end = block.end
    return found


def deck_snippets(cards: tuple[Card, ...]) -> list[Snippet]:
    return [snippet for card in cards for snippet in card_snippets(card)]


#: What the tests do with a block, in the order stats prints them.
CHECKS = ("run", "parsed", "fragment", "unchecked")


def how_checked(snippet: Snippet) -> str:
    """One of `CHECKS`: what the tests do with this block."""
    if snippet.fragment is not None:
        return "fragment"
    if snippet.language in RUNNERS:
        return "run"
    return "parsed" if snippet.language in PARSERS else "unchecked"


def check_snippets(snippets: list[Snippet], jobs: int | None = None) -> list[Problem]:
    """Run or parse every block that can be; one problem per block that fails."""
    checked = [s for s in snippets if how_checked(s) in ("run", "parsed")]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        failures = list(pool.map(lambda s: CHECKERS[s.language](s), checked))
    problems = [
        problem(s.card.path, s.line, f"{s.where} fails: {failure}", "fix the code, or mark it <!-- fragment: why --> on the line above its fence")
        for s, failure in zip(checked, failures)
        if failure
    ]
    problems += [
        problem(s.card.path, s.line, f"{s.where} is marked a fragment without a reason", "say why it cannot run: <!-- fragment: needs a Redis server -->")
        for s in snippets
        if s.fragment == ""
    ]
    return sorted(problems)


def _run_python(snippet: Snippet) -> str | None:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder, "snippet.py")
        script.write_text(snippet.code, encoding="utf-8")
        # A block of pytest tests proves nothing by defining them: run them.
        runner = ["-m", "pytest", "-q", "-p", "no:cacheprovider"] if PYTEST_TESTS.search(snippet.code) else []
        try:
            done = subprocess.run(
                [sys.executable, "-I", *runner, str(script)],
                cwd=folder,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=TIME_LIMIT,
            )
        except subprocess.TimeoutExpired:
            return f"still running after {TIME_LIMIT:g} s"
    if done.returncode != 0:
        return _last_line(done.stderr) or _last_line(done.stdout) or f"exit code {done.returncode}"
    expected = snippet.expected_output
    if expected is not None and done.stdout.rstrip() != expected.rstrip():
        return f"prints {done.stdout.rstrip()!r}, but the card shows {expected.rstrip()!r}"
    return None


def _run_sql(snippet: Snippet) -> str | None:
    connection = sqlite3.connect(":memory:")
    deadline = time.monotonic() + TIME_LIMIT
    connection.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    try:
        connection.executescript(snippet.schema)
        connection.executescript(snippet.code)
    except sqlite3.Error as exc:
        return f"SQLite says: {exc}"
    finally:
        connection.close()
    return None


def _parse_json(snippet: Snippet) -> str | None:
    try:
        json.loads(snippet.code)
    except ValueError as exc:
        return str(exc)
    return None


def _parse_shell(snippet: Snippet) -> str | None:
    done = subprocess.run(["bash", "-n"], input=snippet.code, capture_output=True, text=True, timeout=TIME_LIMIT)
    if done.returncode:
        return _last_line(done.stderr) or f"exit code {done.returncode}"
    return None





def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines()]
    return lines[-1] if lines else ""


#: Languages whose blocks are executed.
RUNNERS: dict[str, Callable[[Snippet], str | None]] = {"python": _run_python, "py": _run_python, "sql": _run_sql}
#: Languages whose blocks are only parsed: the syntax is checked, nothing runs.
#: Languages whose blocks are executed.
RUNNERS: dict[str, Callable[[Snippet], str | None]] = {"python": _run_python, "py": _run_python, "sql": _run_sql}
#: Languages whose blocks are only parsed: the syntax is checked, nothing runs.
def _parse_yaml(snippet: Snippet) -> str | None:
    try:
        list(yaml.safe_load_all(snippet.code))
    except yaml.MarkedYAMLError as exc:
        return f"{exc.problem} (line {exc.problem_mark.line + 1} of the block)" if exc.problem_mark else str(exc.problem)
    except yaml.YAMLError as exc:
        return _last_line(str(exc))
    return None


PARSERS: dict[str, Callable[[Snippet], str | None]] = {
    "json": _parse_json,
    "yaml": _parse_yaml,
    "yml": _parse_yaml,
    "bash": _parse_shell,
    "sh": _parse_shell,
    "shell": _parse_shell,
}
CHECKERS = {**RUNNERS, **PARSERS}
