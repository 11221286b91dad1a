"""The syllabus: every section and topic the deck must cover, in study order."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from .errors import BuilderError
from .levels import LEVELS

SYLLABUS_FILE = "syllabus.yaml"


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    section: str
    level: str
    group: str
    source: str
    line: int


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    deck: str
    topics: tuple[Topic, ...]
    line: int


@dataclass(frozen=True)
class Syllabus:
    path: Path
    sections: tuple[Section, ...]

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def topic(self, topic_id: str) -> Topic | None:
        return self.topics_by_id.get(topic_id)

    @cached_property
    def topics_by_id(self) -> dict[str, Topic]:
        """Built once: validation looks up every card's topic."""
        return {t.id: t for s in self.sections for t in s.topics}

    @property
    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)


def load_syllabus(cards_dir: Path) -> Syllabus:
    """Read `syllabus.yaml`; a malformed syllabus is a user error that names the entry."""
    path = cards_dir / SYLLABUS_FILE
    try:
        data = _with_lines(_compose(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise BuilderError(f"{path}: no syllabus found — every card folder needs a {SYLLABUS_FILE}")
    except yaml.YAMLError as exc:
        line = exc.problem_mark.line + 1 if getattr(exc, "problem_mark", None) else 1
        raise BuilderError(f"{path}:{line}: the syllabus is not valid YAML — {exc.problem or exc}")
    try:
        sections = tuple(_section(entry) for entry in data["sections"])
    except (KeyError, TypeError) as exc:
        raise BuilderError(f"{path}: malformed syllabus entry (missing {exc}) — see the card format in README.md")
    for topic in (t for s in sections for t in s.topics):
        if topic.level not in LEVELS:
            raise BuilderError(
                f"{path}: topic '{topic.id}' has unknown level '{topic.level}' — expected one of: {', '.join(LEVELS)}"
            )
    _check_unique(path, [s.id for s in sections], "section")
    _check_unique(path, [t.id for s in sections for t in s.topics], "topic")
    return Syllabus(path, sections)


def _section(entry: dict) -> Section:
    topics = tuple(
        Topic(
            id=t["id"],
            title=t["title"],
            section=entry["id"],
            level=t["level"],
            group=t.get("group", ""),
            source=t.get("source", ""),
            line=t["line"],
        )
        for t in entry["topics"]
    )
    return Section(id=entry["id"], title=entry["title"], deck=entry["deck"], topics=topics, line=entry["line"])


def _compose(text: str) -> yaml.Node | None:
    """libyaml's parser where PyYAML has it, ten times faster on the syllabus; on a syntax
    error, the pure-Python one, so that the message is the same on every machine."""
    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)


def _with_lines(node: yaml.Node | None):
    """Plain data like safe_load's, where every mapping also records its 1-based `line`,
    so that coverage warnings can point at the syllabus entry."""
    if isinstance(node, yaml.MappingNode):
        mapping = {key.value: _with_lines(value) for key, value in node.value}
        return {**mapping, "line": node.start_mark.line + 1}
    if isinstance(node, yaml.SequenceNode):
        return [_with_lines(item) for item in node.value]
    return None if node is None else yaml.SafeLoader("").construct_object(node)


def _check_unique(path: Path, ids: list[str], kind: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise BuilderError(f"{path}: {kind} id '{item}' appears twice — ids must be unique")
        seen.add(item)
