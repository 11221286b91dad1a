"""The syllabus: every section and topic the deck must cover, in study order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from .errors import Problem, problem
from .levels import LEVELS
from .sources import SourceError, load_yaml, read_source

SYLLABUS_FILE = "syllabus.yaml"
SECTION_KEYS = ("id", "title", "deck", "topics")
TOPIC_KEYS = ("id", "title", "level", "group", "source")
#: Section and topic ids become Anki tags (`topic::ID`), which cannot hold a space.
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KIND_NAMES = {yaml.ScalarNode: "a single value", yaml.SequenceNode: "a list", yaml.MappingNode: "a mapping"}


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
        return self.sections_by_id.get(section_id)

    @cached_property
    def sections_by_id(self) -> dict[str, Section]:
        """Built once: validation and every note look up a card's section. The first of an id wins."""
        return {s.id: s for s in reversed(self.sections)}

    def topic(self, topic_id: str) -> Topic | None:
        return self.topics_by_id.get(topic_id)

    @cached_property
    def topics_by_id(self) -> dict[str, Topic]:
        """Built once: validation looks up every card's topic."""
        return {t.id: t for s in self.sections for t in s.topics}

    @property
    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)


def load_syllabus(cards_dir: Path) -> tuple[Syllabus, list[Problem]]:
    """Read `syllabus.yaml`: the entries that are well formed, and a problem at the line of each
    that is not, so that one bad entry neither hides the card errors of the run nor stops the
    cards of every other topic from being checked."""
    path = cards_dir / SYLLABUS_FILE
    if not path.exists() and not path.is_symlink():
        return Syllabus(path, ()), [problem(path, 1, "no syllabus found", f"every card folder needs a {SYLLABUS_FILE}")]
    try:
        root = load_yaml(read_source(path).text, path, what="syllabus")
    except SourceError as exc:
        return Syllabus(path, ()), [exc.problem]
    if root is None:
        return Syllabus(path, ()), [problem(path, 1, "the syllabus is empty", "list the sections under 'sections:'")]
    reader = _Reader(path)
    entries = reader.items(reader.field(root, "sections", yaml.SequenceNode, "the syllabus"))
    sections = tuple(section for node in entries if (section := reader.section(node)))
    reader.check_unique([(s.id, s.line) for s in sections], "section id")
    reader.check_unique([(s.deck, s.line) for s in sections], "deck name")
    reader.check_unique([(t.id, t.line) for s in sections for t in s.topics], "topic id")
    return Syllabus(path, sections), reader.problems


class _Reader:
    """Walks the syllabus's YAML nodes, keeping each well-formed entry and a problem for each
    malformed one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def report(self, node: yaml.Node, message: str, hint: str) -> None:
        self.problems.append(problem(self.path, node.start_mark.line + 1, message, hint))

    def field(self, node: yaml.Node, key: str, kind: type[yaml.Node], where: str) -> yaml.Node | None:
        if not isinstance(node, yaml.MappingNode):
            self.report(node, f"{where} is not a mapping of keys to values", "see the entries above and below it")
            return None
        value = next((v for k, v in node.value if k.value == key), None)
        if value is None:
            self.report(node, f"{where} has no '{key}'", "see the entries above and below it")
        elif not isinstance(value, kind) or (kind is yaml.ScalarNode and not str(value.value).strip()):
            self.report(value, f"'{key}' of {where} is not {KIND_NAMES[kind]}", "see the entries above and below it")
            return None
        return value

    def items(self, node: yaml.Node | None) -> list[yaml.Node]:
        return list(node.value) if isinstance(node, yaml.SequenceNode) else []

    def text(self, node: yaml.MappingNode, key: str, where: str, optional: bool = False) -> str | None:
        if optional and not any(k.value == key for k, _ in node.value):
            return ""
        value = self.field(node, key, yaml.ScalarNode, where)
        return None if value is None else str(value.value)

    def identifier(self, node: yaml.MappingNode, where: str) -> str | None:
        value = self.text(node, "id", where)
        if value is not None and not ID_PATTERN.match(value):
            self.report(node, f"id '{value}' of {where} is not lowercase kebab-case", "use letters a-z, digits and single hyphens: ids become Anki tags")
            return None
        return value

    def section(self, node: yaml.Node) -> Section | None:
        where = f"section entry at line {node.start_mark.line + 1}"
        if not isinstance(node, yaml.MappingNode):
            self.field(node, "id", yaml.ScalarNode, where)
            return None
        section_id, title, deck = self.identifier(node, where), self.text(node, "title", where), self.text(node, "deck", where)
        self._unknown_keys(node, SECTION_KEYS, where)
        topic_nodes = self.items(self.field(node, "topics", yaml.SequenceNode, where))
        if section_id is None or title is None or deck is None:
            return None
        topics = tuple(topic for t in topic_nodes if (topic := self.topic(t, section_id)))
        return Section(id=section_id, title=title, deck=deck, topics=topics, line=node.start_mark.line + 1)

    def topic(self, node: yaml.Node, section_id: str) -> Topic | None:
        where = f"topic entry at line {node.start_mark.line + 1}"
        if not isinstance(node, yaml.MappingNode):
            self.field(node, "id", yaml.ScalarNode, where)
            return None
        values = {
            "id": self.identifier(node, where),
            "title": self.text(node, "title", where),
            "level": self.text(node, "level", where),
            "group": self.text(node, "group", where, optional=True),
            "source": self.text(node, "source", where, optional=True),
        }
        self._unknown_keys(node, TOPIC_KEYS, where)
        if values["level"] is not None and values["level"] not in LEVELS:
            self.report(node, f"topic '{values['id']}' has unknown level '{values['level']}'", f"expected one of: {', '.join(LEVELS)}")
            return None
        if any(value is None for value in values.values()):
            return None
        return Topic(section=section_id, line=node.start_mark.line + 1, **values)

    def _unknown_keys(self, node: yaml.MappingNode, known: tuple[str, ...], where: str) -> None:
        for key, _ in node.value:
            if key.value not in known:
                self.report(key, f"unknown key '{key.value}' in {where}", f"use only: {', '.join(known)}")

    def check_unique(self, items: list[tuple[str, int]], kind: str) -> None:
        first: dict[str, int] = {}
        for item, line in items:
            if item in first:
                self.problems.append(problem(self.path, line, f"{kind} '{item}' appears twice (also at line {first[item]})", "ids and deck names must be unique"))
            first.setdefault(item, line)
