"""Load: card files → `Card`s, each remembering the file and line it came from.

A card file is YAML front matter (defaults for every card in the file) followed by cards. Each
card is a level-2 heading (the question, or the cloze text) with an optional metadata comment on
the next line, then the answer up to the next level-2 heading. README.md documents the format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import Problem, problem

FILE_KEYS = ("section", "topic", "level", "tags")
CARD_KEYS = ("id", "level", "tags", "type", "ref", "topic")
FENCE = re.compile(r"^\s*(```|~~~)")
#: The line that ends what a card's front shows under the question (code, an image).
PROMPT_DIVIDER = "---"
META = re.compile(r"^<!--(.*)-->\s*$")
#: The opening of a cloze deletion: enough to tell a cloze card, even a malformed one.
CLOZE = re.compile(r"\{\{c\d+::")
#: A whole deletion, {{c1::text}} or {{c1::text::hint}}: groups number, text, hint.
CLOZE_DELETION = re.compile(r"\{\{c(\d+)::(.*?)(?:::([^}]*))?\}\}", re.DOTALL)
#: A comment in an answer is for tools (a code block's schema, why a block cannot run), never
#: for the learner; a comment alone on its lines goes with the line break that ends it.
HTML_COMMENT = re.compile(r"^[ \t]*<!--.*?-->[ \t]*\n|<!--.*?-->", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Card:
    """One flashcard as written, with its file defaults already applied."""

    id: str
    kind: str
    question: str
    answer: str
    section: str
    topic: str
    level: str
    tags: tuple[str, ...]
    ref: str
    path: Path
    line: int
    #: Markdown shown on the front under the question (code, an image), or "": the part of the
    #: body above a `---` line.
    prompt: str = ""
    #: Where each field was set (front matter or metadata comment), for error messages.
    field_lines: tuple[tuple[str, int], ...] = ()

    def line_of(self, field: str) -> int:
        return dict(self.field_lines).get(field, self.line)

    @property
    def is_cloze(self) -> bool:
        return self.kind == "cloze"


@dataclass(frozen=True)
class LoadResult:
    cards: tuple[Card, ...]
    problems: tuple[Problem, ...]


def card_files(cards_dir: Path) -> list[Path]:
    """Every card file under `cards_dir`, in a stable order (READMEs are documentation)."""
    return sorted(p for p in cards_dir.rglob("*.md") if p.name.lower() != "readme.md")


def load_cards(cards_dir: Path) -> LoadResult:
    cards: list[Card] = []
    problems: list[Problem] = []
    for path in card_files(cards_dir):
        file_cards, file_problems = parse_card_file(path, path.read_text(encoding="utf-8"))
        cards.extend(file_cards)
        problems.extend(file_problems)
    return LoadResult(tuple(cards), tuple(problems))


def parse_card_file(path: Path, text: str) -> tuple[list[Card], list[Problem]]:
    lines = text.splitlines()
    defaults, field_lines, body_start, problems = _front_matter(path, lines)
    if defaults is None:
        return [], problems
    cards: list[Card] = []
    for heading_line, chunk in _card_chunks(path, lines, body_start, problems):
        card = _card(path, heading_line, chunk, defaults, field_lines, problems)
        if card is not None:
            cards.append(card)
    if not cards and not problems:
        problems.append(problem(path, body_start + 1, "the file holds no card", "add a '## Question' heading with its answer"))
    return cards, problems


def _front_matter(path: Path, lines: list[str]) -> tuple[dict | None, dict[str, int], int, list[Problem]]:
    """Parse the YAML block between the first two `---` lines."""
    hint = "start the file with '---', then 'section: …' and 'topic: …' lines, then '---'"
    if not lines or lines[0].strip() != "---":
        return None, {}, 0, [problem(path, 1, "missing YAML front matter", hint)]
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return None, {}, 0, [problem(path, 1, "front matter is never closed", "add a '---' line after it")]
    try:
        data = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        # The construct that is left open (a bracket, a quote) is where the mistake is.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        reason = getattr(exc, "problem", None) or "invalid YAML"
        return None, {}, 0, [problem(path, line, f"broken front matter: {reason}", "fix the YAML syntax (quote values containing ': ')")]
    if not isinstance(data, dict):
        return None, {}, 0, [problem(path, 2, "front matter is not a mapping of keys to values", hint)]
    problems = [
        problem(path, 1, f"unknown front matter key '{key}'", f"use only: {', '.join(FILE_KEYS)}")
        for key in data
        if key not in FILE_KEYS
    ]
    field_lines = {}
    for number, line in enumerate(lines[1:end], start=2):
        key = line.split(":", 1)[0].strip()
        if key in FILE_KEYS:
            field_lines[key] = number
    defaults = {
        "section": str(data.get("section") or ""),
        "topic": str(data.get("topic") or ""),
        "level": str(data.get("level") or ""),
        "tags": _tag_list(data.get("tags")),
    }
    return defaults, field_lines, end + 1, problems


def _card_chunks(path: Path, lines: list[str], start: int, problems: list[Problem]):
    """Yield (heading line number, lines) per card; headings inside code fences don't count."""
    in_fence = False
    heading_line = 0
    chunk: list[str] = []
    for index in range(start, len(lines)):
        line = lines[index]
        if FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            if heading_line:
                yield heading_line, chunk
            heading_line, chunk = index + 1, [line]
        elif heading_line:
            chunk.append(line)
        elif line.strip() and not line.startswith("# "):
            problems.append(
                problem(path, index + 1, "text before the first card", "start each card with a '## ' heading")
            )
    if heading_line:
        yield heading_line, chunk


def _card(
    path: Path,
    heading_line: int,
    chunk: list[str],
    defaults: dict,
    file_lines: dict[str, int],
    problems: list[Problem],
) -> Card | None:
    question = chunk[0][3:].strip()
    rest = chunk[1:]
    meta: dict[str, str] = {}
    meta_line = heading_line
    first = next((i for i, line in enumerate(rest) if line.strip()), None)
    if first is not None and rest[first].lstrip().startswith("<!--"):
        meta_line = heading_line + 1 + first
        parsed = _metadata(path, meta_line, rest[first].strip(), problems)
        if parsed is None:
            return None
        meta = parsed
        rest = rest[first + 1 :]
    field_lines = {key: file_lines.get(key, 1) for key in FILE_KEYS}
    field_lines.update({key: meta_line for key in meta})
    field_lines["id"] = meta_line
    rest_line = meta_line + 1
    prompt: list[str] = []
    divider = _prompt_divider(rest)
    if divider is not None:
        prompt, rest = rest[:divider], rest[divider + 1 :]
        field_lines["prompt_start"] = rest_line + _first_text(prompt)
        rest_line += divider + 1
    # The answer is stripped of its leading blank lines: remember where its text starts.
    field_lines["answer_start"] = rest_line + _first_text(rest)
    kind = meta.get("type") or ("cloze" if CLOZE.search(question) else "basic")
    return Card(
        id=meta.get("id", ""),
        kind=kind,
        question=question,
        answer="\n".join(rest).strip(),
        prompt="\n".join(prompt).strip(),
        section=defaults["section"],
        topic=meta.get("topic", defaults["topic"]),
        level=meta.get("level", defaults["level"]),
        tags=_tag_list(meta["tags"]) if "tags" in meta else defaults["tags"],
        ref=meta.get("ref", ""),
        path=path,
        line=heading_line,
        field_lines=tuple(sorted(field_lines.items())),
    )


def _prompt_divider(lines: list[str]) -> int | None:
    """Index of the `---` line that ends what the front shows, outside code fences, if any."""
    in_fence = False
    for index, line in enumerate(lines):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and line.strip() == PROMPT_DIVIDER:
            return index
    return None


def _first_text(lines: list[str]) -> int:
    return next((i for i, line in enumerate(lines) if line.strip()), 0)


def _metadata(path: Path, line: int, text: str, problems: list[Problem]) -> dict[str, str] | None:
    """Parse `<!-- id: x; level: senior; tags: a, b -->` into a dict."""
    match = META.match(text)
    if not match:
        problems.append(problem(path, line, "metadata comment is not closed on its line", "write it as <!-- id: …; level: … --> on one line"))
        return None
    meta: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in match.group(1).split(";"))):
        key, sep, value = item.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not value:
            problems.append(problem(path, line, f"metadata item '{item}' has no value", "write items as 'key: value', separated by ';'"))
        elif key not in CARD_KEYS:
            problems.append(problem(path, line, f"unknown metadata key '{key}'", f"use only: {', '.join(CARD_KEYS)}"))
        elif key in meta:
            problems.append(problem(path, line, f"metadata key '{key}' given twice", "keep one"))
        else:
            meta[key] = value
    return meta


def without_comments(text: str) -> str:
    return HTML_COMMENT.sub("", text)


def without_cloze_markup(text: str) -> str:
    """The sentence with every deletion filled in, as a reader sees the answer."""
    return CLOZE_DELETION.sub(r"\2", text)


def _tag_list(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else re.split(r"[,\s]+", str(value))
    return tuple(str(tag).strip() for tag in items if str(tag).strip())
