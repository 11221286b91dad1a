"""Load: card files → `Card`s, each remembering the file and line it came from.

A card file is YAML front matter (defaults for every card in the file) followed by cards. Each
card is a level-2 heading (the question, or the cloze text) with an optional metadata comment on
the next line, then the answer up to the next level-2 heading. README.md documents the format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import partial
from pathlib import Path

from . import cloze, fences
from .cache import Shards, cache_root, code_key, digest
from .errors import Problem, problem
from .limits import MAX_CARD_CHARS, MAX_CARDS, MAX_QUESTION_CHARS
from .sources import SourceError, load_yaml, plain, read_source

FILE_KEYS = ("section", "topic", "level", "tags")
CARD_KEYS = ("id", "level", "tags", "type", "ref", "topic")
#: The line that ends what a card's front shows under the question (code, an image).
PROMPT_DIVIDER = "---"
META = re.compile(r"^<!--(.*)-->\s*$")
#: A comment in an answer is for tools (a code block's schema, why a block cannot run), never
#: for the learner.
COMMENT_OPEN, COMMENT_CLOSE = "<!--", "-->"
#: What parsing a card file depends on besides the builder's own code.
LOAD_LIBRARIES = ("pyyaml",)
#: The parsed-card cache's file in each folder of cards.
CARDS_SHARD = "cards.json"


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
    """Every card file's cards. A file that parses without a problem is kept parsed in the cache
    (cache.py) under the digest of its text, so that a build after an edit parses one file."""
    kept = Shards(cache_root(cards_dir) / "cards" / cards_dir.resolve().name, CARDS_SHARD)
    parse = partial(_parse_kept, kept, cards_dir)
    cards: list[Card] = []
    problems: list[Problem] = []
    for path in card_files(cards_dir):
        file_cards, file_problems = load_card_file(path, parse)
        cards.extend(file_cards)
        problems.extend(file_problems)
        if len(cards) > MAX_CARDS:
            problems.append(problem(path, 1, f"the deck has more than {MAX_CARDS:,} cards", "build a part of it from its own card folder"))
            break
    kept.save()
    return LoadResult(tuple(cards), tuple(problems))


#: What makes a file's cards of its text: parse_card_file, or the cache in front of it.
Parse = Callable[[Path, str], tuple[list[Card], list[Problem]]]


def load_card_file(path: Path, parse: Parse | None = None) -> tuple[list[Card], list[Problem]]:
    """The cards of one file (parse_card_file's, unless `parse` is given), or the problem that
    kept it from being read."""
    try:
        text = read_source(path).text
    except SourceError as exc:
        return [], [exc.problem]
    return (parse or parse_card_file)(path, text)


#: A card in the cache: every field but its path, which is the file's.
KEPT_FIELDS = tuple(f.name for f in fields(Card) if f.name != "path")


def _parse_kept(kept: Shards, cards_dir: Path, path: Path, text: str) -> tuple[list[Card], list[Problem]]:
    """parse_card_file, answered from the cache when it holds the cards of this very text.
    A file with problems is parsed every time: its problems are reported as parsing finds them."""
    folder = path.parent.relative_to(cards_dir).as_posix()
    key = digest(code_key(LOAD_LIBRARIES), text)
    entry = kept.get(folder, path.name)
    if isinstance(entry, list) and entry[:1] == [key]:
        kept.keep(folder, path.name, entry)
        return [_kept_card(values, path) for values in entry[1]], []
    cards, problems = parse_card_file(path, text)
    if not problems:
        kept.keep(folder, path.name, [key, [[getattr(card, name) for name in KEPT_FIELDS] for card in cards]])
    return cards, problems


def _kept_card(values: list, path: Path) -> Card:
    """A card from its cache entry: JSON keeps the tuples as lists."""
    card = dict(zip(KEPT_FIELDS, values))
    card["tags"] = tuple(card["tags"])
    card["field_lines"] = tuple((name, line) for name, line in card["field_lines"])
    return Card(path=path, **card)


def parse_card_file(path: Path, text: str) -> tuple[list[Card], list[Problem]]:
    """The cards of one file's text (line endings already "\n", as read_source gives)."""
    lines = text.split("\n")
    defaults, field_lines, body_start, problems = _front_matter(path, lines)
    if defaults is None:
        return [], problems
    body_fences = fences.scan(lines[body_start:])
    problems += _fence_problems(path, body_fences, body_start)
    code = {body_start + index for index in fences.code_lines(body_fences)}
    cards: list[Card] = []
    for heading_line, chunk in _card_chunks(path, lines, body_start, code, problems):
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
        node = load_yaml("\n".join(lines[1:end]), path, first_line=2, what="front matter")
        data = plain(node, path, first_line=2) or {}
    except SourceError as exc:
        return None, {}, 0, [exc.problem]
    if not isinstance(data, dict):
        return None, {}, 0, [problem(path, 2, "front matter is not a mapping of keys to values", hint)]
    field_lines = {str(key.value): key.start_mark.line + 2 for key, _ in node.value}
    problems = [
        problem(path, field_lines.get(str(key), 1), f"unknown front matter key '{key}'", f"use only: {', '.join(FILE_KEYS)}")
        for key in data
        if key not in FILE_KEYS
    ]
    wrong_types = [
        problem(path, field_lines[key], f"front matter '{key}' is a {type(data[key]).__name__}, not a single word", "write it as 'key: value'")
        for key in ("section", "topic", "level")
        if isinstance(data.get(key), (dict, list))
    ]
    if isinstance(data.get("tags"), dict) or any(isinstance(tag, (dict, list)) for tag in _as_list(data.get("tags"))):
        wrong_types.append(problem(path, field_lines["tags"], "front matter 'tags' is not a list of words", "write it as 'tags: [a, b]'"))
    if wrong_types:
        return None, {}, 0, problems + wrong_types
    defaults = {
        "section": _scalar(data.get("section")),
        "topic": _scalar(data.get("topic")),
        "level": _scalar(data.get("level")),
        "tags": _tag_list(data.get("tags")),
    }
    return defaults, field_lines, end + 1, problems


def _fence_problems(path: Path, found: tuple[fences.Fence, ...], first: int) -> list[Problem]:
    problems = []
    for fence in found:
        if fence.closing is None:
            problems.append(problem(path, first + fence.opening + 1, f"code fence {fence.marker} is never closed", f"close it with a line of exactly {fence.marker}"))
        elif not fence.info_is_valid:
            problems.append(problem(path, first + fence.opening + 1, f"code fence {fence.marker}{fence.info} has more than a language after it", f"write only the language, such as {fence.marker}python"))
    return problems


def _card_chunks(path: Path, lines: list[str], start: int, code: set[int], problems: list[Problem]):
    """Yield (heading line number, lines) per card; headings inside code fences don't count."""
    heading_line = 0
    chunk: list[str] = []
    for index in range(start, len(lines)):
        line = lines[index]
        if index not in code and (line.startswith("## ") or line.rstrip() == "##"):
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
    if len(question) > MAX_QUESTION_CHARS:
        problems.append(problem(path, heading_line, f"the question has {len(question):,} characters, more than {MAX_QUESTION_CHARS}", "ask it in fewer words, and put code or detail below a '---' line"))
        return None
    if (size := sum(map(len, chunk))) > MAX_CARD_CHARS:
        problems.append(problem(path, heading_line, f"the card has {size:,} characters, more than {MAX_CARD_CHARS:,}", "split it into several cards"))
        return None
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
    kind = meta.get("type") or ("cloze" if cloze.has_deletion_markup(question) else "basic")
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
    code = fences.code_lines(fences.scan(lines))
    return next((i for i, line in enumerate(lines) if i not in code and line.strip() == PROMPT_DIVIDER), None)


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
    """`text` without its comments, except in code blocks, where `<!-- … -->` is part of the code
    (an HTML or XML sample)."""
    parts: list[str] = []
    position = 0
    for block in fences.blocks(text):
        parts += [_comments_removed(text[position : block.start]), text[block.start : block.end]]
        position = block.end
    return "".join(parts) + _comments_removed(text[position:])


def _comments_removed(text: str) -> str:
    """`text` without its comments; a comment alone on its lines goes with the line break that
    ends it. Linear: each comment is found by moving forward, and an unclosed one ends the search."""
    parts: list[str] = []
    position = 0
    while (start := text.find(COMMENT_OPEN, position)) != -1:
        end = text.find(COMMENT_CLOSE, start + len(COMMENT_OPEN))
        if end == -1:
            break
        end += len(COMMENT_CLOSE)
        line_start = text.rfind("\n", 0, start) + 1
        after = len(text) - len(text[end:].lstrip(" \t"))
        if not text[max(line_start, position) : start].strip(" \t") and text.startswith("\n", after) and line_start >= position:
            start, end = line_start, after + 1
        parts.append(text[position:start])
        position = end
    return "".join(parts) + text[position:]


def without_cloze_markup(text: str) -> str:
    """The sentence with every deletion filled in, as a reader sees the answer."""
    return cloze.replace_deletions(text, lambda d: d.text)


def _tag_list(value: object) -> tuple[str, ...]:
    items = [_scalar(item) for item in value] if isinstance(value, list) else re.split(r"[,\s]+", _scalar(value))
    return tuple(tag.strip() for tag in items if tag.strip())


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _scalar(value: object) -> str:
    """A YAML scalar as the text an author wrote: `level: true` is 'true', not 'True'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
