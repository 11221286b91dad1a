"""Quality rules: the card-writing rules that a program can check, reported as warnings.

Every threshold lives in `THRESHOLDS`, so the project's bar is stated in one place; README.md
quotes it. `lint --strict` (and CI) treat the warnings as errors.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from .cards import Card, without_cloze_markup, without_comments
from .errors import Problem, problem
from .fences import blocks, replace_blocks
from .limits import NESTING_PREFIX
from .syllabus import Syllabus


@dataclass(frozen=True)
class Thresholds:
    #: Words in an answer (code blocks excluded). The aim is under 30; above this is a warning.
    max_answer_words: int = 60
    #: Lines in one fenced code block.
    max_code_lines: int = 12
    #: Items in one list: a longer list wants several cards or one cloze per item.
    max_list_items: int = 5
    #: Word-set similarity (Jaccard) at which two questions count as near-duplicates.
    near_duplicate_similarity: float = 0.8
    #: Questions shorter than this many distinct words are too short to compare reliably.
    near_duplicate_min_words: int = 4
    #: In a section that has cards, every syllabus topic needs at least this many.
    min_cards_per_topic: int = 4
    #: Share of a section's cards whose question asks why, when or which trade-off.
    min_why_share: float = 1 / 6
    #: Share of a section's cards that are clozes.
    min_cloze_share: float = 1 / 10
    #: Share of a section's cards that are scenarios (tagged `scenario`).
    min_scenario_share: float = 1 / 10
    #: Levels that every section with cards must have.
    required_levels: tuple[str, ...] = ("junior", "mid", "senior")


THRESHOLDS = Thresholds()

YES_NO_START = re.compile(
    r"^(is|are|am|was|were|do|does|did|can|could|should|would|will|shall|may|might|must|has|have|had)\b",
    re.IGNORECASE,
)
VAGUE_START = re.compile(r"^(explain|describe|discuss|tell me about|talk about|what do you know about)\b", re.IGNORECASE)
LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+")
WORD = re.compile(r"[A-Za-z0-9][\w'+#.-]*")
WHY_QUESTION = re.compile(
    r"\b(why|when|trade-?offs?|prefer|choose|instead of|rather than|downside|cost|risks?|worth)\b", re.IGNORECASE
)
#: A citation of a specification in a card's text, which then needs a `ref`. Bare "the spec" is
#: left out: in API cards it is usually the team's own OpenAPI document, not a standard.
CITATION = re.compile(r"\b(RFC ?\d{3,5}|CVE-\d{4}-\d{4,}|PEP ?\d+|JEP ?\d+|the \w+ specification)\b|§ ?\d+(?:\.\d+)*", re.IGNORECASE)
#: A question that speaks of code or a picture as if the reader could see it.
POINTS_AT_SHOWN = re.compile(
    r"\b(this|these|the following|the above|below)\s+(code|snippet|query|queries|callbacks?|function|program|"
    r"loop|class|statement|output|diagram|picture|image|schema|plan)\b|\b(code|query|snippet|diagram) (below|above)\b",
    re.IGNORECASE,
)
STOP_WORDS = frozenset("a an and the of in on to for is are what which why when how does do with by or vs its it that".split())
#: The tag that marks a scenario card: a situation whose answer is an engineer's first moves.
SCENARIO_TAG = "scenario"


def asks_why(card: Card) -> bool:
    """A judgement question: why, when or which trade-off, told by the question's wording."""
    return bool(WHY_QUESTION.search(card.question))


def is_scenario(card: Card) -> bool:
    return SCENARIO_TAG in card.tags


def quality_warnings(cards: tuple[Card, ...], syllabus: Syllabus, limits: Thresholds = THRESHOLDS) -> list[Problem]:
    warnings: list[Problem] = []
    for card in cards:
        warnings.extend(_card_warnings(card, limits))
    warnings.extend(_near_duplicates(cards, limits))
    warnings.extend(_section_warnings(cards, syllabus, limits))
    return warnings


def _section_warnings(cards: tuple[Card, ...], syllabus: Syllabus, limits: Thresholds) -> list[Problem]:
    """The deck-level rules, for every section that has been started (has any card)."""
    found: list[Problem] = []

    def warn(line: int, message: str, hint: str) -> None:
        found.append(problem(syllabus.path, line, message, hint, severity="warning"))

    by_section: dict[str, list[Card]] = defaultdict(list)
    for card in cards:
        by_section[card.section].append(card)
    for section in syllabus.sections:
        own = by_section[section.id]
        if not own:
            continue
        per_topic = Counter(card.topic for card in own)
        for topic in section.topics:
            count = per_topic[topic.id]
            if count < limits.min_cards_per_topic:
                warn(topic.line, f"topic '{topic.id}' has {count} card(s) (minimum {limits.min_cards_per_topic})", "write cards for it")
        missing = [level for level in limits.required_levels if not any(card.level == level for card in own)]
        if missing:
            warn(section.line, f"section '{section.id}' has no {' or '.join(missing)} card", "every section needs cards at each of these levels")
        why = sum(asks_why(card) for card in own)
        if why < limits.min_why_share * len(own):
            warn(section.line, f"section '{section.id}': {why} of {len(own)} questions ask why, when or which trade-off", f"aim for at least {limits.min_why_share:.0%}")
        scenarios = sum(is_scenario(card) for card in own)
        if scenarios < limits.min_scenario_share * len(own):
            warn(section.line, f"section '{section.id}': {scenarios} of {len(own)} cards are scenarios", f"aim for at least {limits.min_scenario_share:.0%}: tag them 'scenario'")
        clozes = sum(card.is_cloze for card in own)
        if clozes < limits.min_cloze_share * len(own):
            warn(section.line, f"section '{section.id}': {clozes} of {len(own)} cards are clozes", f"aim for at least {limits.min_cloze_share:.0%}")
    return found


def _card_warnings(card: Card, limits: Thresholds) -> list[Problem]:
    found: list[Problem] = []

    def warn(message: str, hint: str) -> None:
        found.append(problem(card.path, card.line, message, hint, severity="warning"))

    prose = replace_blocks(without_comments(card.answer), lambda block: "")
    if card.is_cloze:
        prose = without_cloze_markup(card.question) + "\n\n" + prose
    words = len(WORD.findall(prose))
    if words > limits.max_answer_words:
        warn(f"answer of '{card.id}' has {words} words (limit {limits.max_answer_words})", "shorten it or split it into several cards")
    for block in blocks(card.prompt + "\n" + card.answer):
        lines = block.code.count("\n")
        if lines > limits.max_code_lines:
            warn(f"code block in '{card.id}' has {lines} lines (limit {limits.max_code_lines})", "keep only the lines the answer needs")
    if any(map(_opens_nested_fence, (replace_blocks(card.prompt, lambda block: "") + "\n" + prose).split("\n"))):
        warn(f"code block in '{card.id}' starts inside a list or quote", "start its fence at the beginning of a line: only such blocks are run by check-code, and drawn if dot")
    longest = _longest_list(prose)
    if longest > limits.max_list_items:
        warn(f"list in '{card.id}' has {longest} items (limit {limits.max_list_items})", "split it into several cards or one cloze per item")
    front = without_cloze_markup(card.question).strip("*_` ")
    if not card.is_cloze and YES_NO_START.match(front):
        warn(f"question of '{card.id}' can be answered yes or no", "ask for the specific thing: what, which, why, when or how")
    citation = CITATION.search(card.question + "\n" + prose)
    if citation and not card.ref:
        warn(f"'{card.id}' cites {citation.group(0)!r} but has no ref", "name the source in the metadata: ref: RFC 9110 §15.5.4")
    if not card.prompt and POINTS_AT_SHOWN.search(front):
        warn(f"question of '{card.id}' refers to something it does not show", "put the code or picture on the front: above a '---' line under the metadata")
    if VAGUE_START.match(front):
        warn(f"question of '{card.id}' asks to explain or describe", "ask for one specific fact, reason or trade-off")
    return found


def _opens_nested_fence(line: str) -> bool:
    """Whether `line` opens a code fence inside a list item or a quote, or indented as deep as
    code: the renderer shows the block, but only fences that start a line are found (fences.py),
    so check-code never runs it and a ```dot block there is never drawn. The prefix is the one
    the nesting limit measures: indentation, quote marks and list markers."""
    prefix = NESTING_PREFIX.match(line).group()
    return line.startswith(("```", "~~~"), len(prefix)) and (len(prefix) > 3 or prefix.strip(" ") != "")


def _longest_list(markdown: str) -> int:
    """Items in the longest run of top-level list items (nested items belong to their parent)."""
    longest = current = 0
    for line in markdown.splitlines():
        match = LIST_ITEM.match(line)
        if match and not match.group(1):
            current += 1
        elif line.strip() and not line.startswith((" ", "\t")):
            current = 0
        longest = max(longest, current)
    return longest


def _near_duplicates(cards: tuple[Card, ...], limits: Thresholds) -> list[Problem]:
    words = [(card, question_words(card.question)) for card in cards]
    words = [(card, ws) for card, ws in words if len(ws) >= limits.near_duplicate_min_words]
    found = []
    for i, j in similar_pairs([ws for _, ws in words], limits.near_duplicate_similarity):
        (first, _), (second, _) = words[i], words[j]
        found.append(
            problem(
                second.path,
                second.line,
                f"question of '{second.id}' nearly repeats '{first.id}' ({first.path}:{first.line})",
                "merge the two cards or make each ask a distinct thing",
                severity="warning",
            )
        )
    return found


def similar_pairs(sets: list[frozenset[str]], threshold: float) -> list[tuple[int, int]]:
    """Index pairs (i < j, sorted) whose Jaccard similarity reaches `threshold`.

    Comparing every pair is quadratic in the deck, and so is comparing every pair that shares a
    word: questions share many. AllPairs (Bayardo, Ma and Srikant, 2007) finds exactly the same
    pairs from an index. With every set's words in one order, rarest first, two sets similar
    enough share a word among the first few of each: of the larger, among its first
    `len - ceil(t * len) + 1`; of the smaller, which must share `2t / (1 + t)` of its words,
    among its first `len - ceil(2t / (1 + t) * len) + 1`. So the sets are taken smallest first;
    each looks its longer prefix up in an index of the shorter prefixes of the sets before it,
    and only those candidates, if large enough to reach the threshold, are compared.
    """
    frequency = Counter(word for words in sets for word in words)
    holders: dict[str, list[int]] = defaultdict(list)
    found: list[tuple[int, int]] = []
    for index in sorted(range(len(sets)), key=lambda i: len(sets[i])):
        words = sets[index]
        rarest_first = sorted(words, key=lambda word: (frequency[word], word))
        smallest = _at_least(threshold * len(words))
        candidates = {other for word in rarest_first[: _prefix(len(words), threshold)] for other in holders[word]}
        found.extend(
            (min(index, other), max(index, other))
            for other in candidates
            if len(sets[other]) >= smallest and len(words & sets[other]) / len(words | sets[other]) >= threshold
        )
        for word in rarest_first[: _prefix(len(words), 2 * threshold / (1 + threshold))]:
            holders[word].append(index)
    return sorted(found)


def _prefix(size: int, overlap_share: float) -> int:
    """How many of a set's rarest words must hold one of any set sharing `overlap_share` of it."""
    return size - _at_least(overlap_share * size) + 1


def _at_least(bound: float) -> int:
    """The smallest whole count that reaches `bound`; the epsilon keeps float rounding
    (0.56 * 25 = 14.000000000000002) from raising it, which could only lose a pair."""
    return math.ceil(bound - 1e-9)


def question_words(question: str) -> frozenset[str]:
    """What the near-duplicate rule compares: a question's words as read, less the stop words."""
    text = without_cloze_markup(question).lower()
    return frozenset(w for w in WORD.findall(text) if w not in STOP_WORDS)
