"""Validate: the errors that stop a build — schema, references, identity."""

from __future__ import annotations

import re

from . import cloze
from .cards import Card
from .errors import Problem, problem
from .levels import LEVELS
from .limits import markdown_limit
from .syllabus import Syllabus

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KINDS = ("basic", "cloze")
#: Tags the build sets itself, from the card's fields and from the release history.
RESERVED_TAG_PREFIXES = ("section::", "level::", "topic::", "changed::", "removed::")
RESERVED_TAGS = ("removed",)
#: Control characters: Anki separates a note's fields with U+001F, so one would split a field.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def validate(cards: tuple[Card, ...], syllabus: Syllabus) -> list[Problem]:
    problems: list[Problem] = []
    for card in cards:
        problems.extend(_card_problems(card, syllabus))
    problems.extend(_duplicate_ids(cards))
    return problems


def _card_problems(card: Card, syllabus: Syllabus) -> list[Problem]:
    found: list[Problem] = []

    def add(field: str, message: str, hint: str) -> None:
        found.append(problem(card.path, card.line_of(field), message, hint))

    if not card.id:
        add("id", f"card '{_short(card.question)}' has no id", "add <!-- id: some-slug --> under the heading, or run 'backend-cards ids'")
    elif not ID_PATTERN.match(card.id):
        add("id", f"id '{card.id}' is not lowercase kebab-case", "use letters a-z, digits and single hyphens, e.g. 'tcp-three-way-handshake'")
    if card.kind not in KINDS:
        add("type", f"unknown card type '{card.kind}'", f"expected one of: {', '.join(KINDS)}")
    section = syllabus.section(card.section)
    if section is None:
        add("section", f"unknown section '{card.section}'", f"expected one of: {', '.join(syllabus.section_ids)}")
    topic = syllabus.topic(card.topic)
    if topic is None:
        add("topic", f"unknown topic '{card.topic}'", "use a topic id from cards/syllabus.yaml, or add the topic there")
    elif section is not None and topic.section != section.id:
        add("topic", f"topic '{card.topic}' belongs to section '{topic.section}', not '{card.section}'", "move the card or fix its section")
    if card.level not in LEVELS:
        add("level", f"unknown level '{card.level}'", f"expected one of: {', '.join(LEVELS)}")
    for tag in card.tags:
        if not re.fullmatch(r"[\w.+#-]+(::[\w.+#-]+)*", tag):
            add("tags", f"tag '{tag}' is not a single word", "use letters, digits, '-', '.', '+', '#' or '::' only")
        elif tag.startswith(RESERVED_TAG_PREFIXES) or tag in RESERVED_TAGS:
            add("tags", f"tag '{tag}' is reserved", "section, level, topic and release tags are added by the build")
    for field, text in (("line", card.question), ("prompt_start", card.prompt), ("answer_start", card.answer), ("ref", card.ref)):
        if exceeded := markdown_limit(text):
            index, message, hint = exceeded
            found.append(problem(card.path, card.line_of(field) + index, message, hint))
        if control := CONTROL.search(text):
            add(field, f"card '{card.id or _short(card.question)}' contains the control character U+{ord(control.group()):04X}", "delete it: Anki would read U+001F as the end of a field")
    if not card.question:
        found.append(problem(card.path, card.line, "card has an empty question", "write the question after '## '"))
    if card.is_cloze:
        scan = cloze.scan(card.question)
        if scan.error:
            found.append(problem(card.path, card.line, f"cloze {scan.error}", "write each deletion as {{c1::text}} or {{c1::text::hint}}, numbered from 1"))
        elif not scan.deletions:
            add("type", "cloze card has no deletion", "mark the hidden text as {{c1::text}} in the heading")
    if card.kind == "basic" and not card.answer:
        add("answer", f"card '{card.id or _short(card.question)}' has an empty answer", "write the answer under the heading")
    if card.kind == "basic" and cloze.has_deletion_markup(card.question):
        add("type", "basic card contains a cloze deletion", "set 'type: cloze' or remove the {{c1::…}} markup")
    return found


def _duplicate_ids(cards: tuple[Card, ...]) -> list[Problem]:
    first_seen: dict[str, Card] = {}
    found = []
    for card in cards:
        if not card.id:
            continue
        if card.id in first_seen:
            other = first_seen[card.id]
            found.append(
                problem(
                    card.path,
                    card.line_of("id"),
                    f"duplicate id '{card.id}' (also at {other.path}:{other.line_of('id')})",
                    "ids must be unique across the whole deck: rename one",
                )
            )
        else:
            first_seen[card.id] = card
    return found


def _short(text: str, width: int = 50) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
