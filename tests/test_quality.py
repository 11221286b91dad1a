"""The quality rules fire on the cards they describe, and stay quiet on good ones."""

from __future__ import annotations

import random
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from builder.cards import Card
from builder.quality import THRESHOLDS, asks_why, is_scenario, quality_warnings, question_words, similar_pairs
from builder.syllabus import Section, Syllabus, Topic

TOPIC = Topic("codes", "Codes", "apis", "junior", "", "", line=7)
SYLLABUS = Syllabus(Path("syllabus.yaml"), (Section("apis", "APIs", "04 APIs", (TOPIC,), line=2),))
GOOD = Card(
    id="good",
    kind="basic",
    question="Which status code means a resource was created?",
    answer="**201 Created**, with a `Location` header naming the new resource.",
    section="apis",
    topic="codes",
    level="junior",
    tags=(),
    ref="",
    path=Path("apis/codes.md"),
    line=3,
)


def card_warnings(**changes) -> list[str]:
    card = replace(GOOD, **changes)
    return [p.message for p in quality_warnings((card,), SYLLABUS) if p.path != "syllabus.yaml"]


def test_a_good_card_has_no_warning() -> None:
    assert card_warnings() == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"answer": "word " * 61}, "answer of 'good' has 61 words (limit 60)"),
        ({"answer": "```python\n" + "x = 1\n" * 13 + "```"}, "code block in 'good' has 13 lines (limit 12)"),
        ({"answer": "".join(f"- item {i}\n" for i in range(6))}, "list in 'good' has 6 items (limit 5)"),
        ({"question": "Is 201 the code for a created resource?"}, "question of 'good' can be answered yes or no"),
        ({"question": "Explain status code 201."}, "question of 'good' asks to explain or describe"),
        ({"answer": "> ```python\n> x = 1\n> ```"}, "code block in 'good' starts inside a list or quote"),
        ({"answer": "- ```sql\n  SELECT 1;\n  ```"}, "code block in 'good' starts inside a list or quote"),
        ({"answer": "- a\n  - b\n\n        ```\n        x\n        ```"}, "code block in 'good' starts inside a list or quote"),
    ],
)
def test_each_rule_fires(changes: dict, expected: str) -> None:
    assert card_warnings(**changes) == [expected]


def test_a_fence_indented_up_to_three_spaces_starts_a_line() -> None:
    assert card_warnings(answer="Use this:\n\n   ```python\n   print('a > b')\n   ```") == []


def test_code_blocks_do_not_count_as_answer_words() -> None:
    assert card_warnings(answer="Use this:\n\n```python\n" + "print('a b c d e f g h')\n" * 10 + "```") == []


def test_near_duplicate_questions_are_flagged() -> None:
    twin = replace(GOOD, id="twin", question="Which status code means the resource was created?", line=9)
    messages = [p.message for p in quality_warnings((GOOD, twin), SYLLABUS)]
    assert "question of 'twin' nearly repeats 'good' (apis/codes.md:3)" in messages


def test_section_rules_report_coverage_levels_and_mix() -> None:
    messages = [str(p) for p in quality_warnings((GOOD,), SYLLABUS)]
    assert "syllabus.yaml:7: warning: topic 'codes' has 1 card(s) (minimum 4) — write cards for it" in messages
    assert any("section 'apis' has no mid or senior card" in m for m in messages)
    assert any("0 of 1 questions ask why, when or which trade-off" in m for m in messages)
    assert any("0 of 1 cards are clozes" in m for m in messages)
    assert any("0 of 1 cards are scenarios" in m for m in messages)
    assert THRESHOLDS.min_cards_per_topic == 4


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Why does a cache need a TTL?", True),
        ("When should a client retry a 503?", True),
        ("What is the trade-off of write-behind caching?", True),
        ("Which status code means a resource was created?", False),
    ],
)
def test_judgement_questions_are_told_by_their_wording(question: str, expected: bool) -> None:
    assert asks_why(replace(GOOD, question=question)) is expected


def test_a_scenario_is_a_card_tagged_scenario() -> None:
    assert is_scenario(replace(GOOD, tags=("caching", "scenario")))
    assert not is_scenario(replace(GOOD, tags=("caching",)))


@pytest.mark.parametrize("citation", ["RFC 9110", "CVE-2021-44228", "PEP 475", "§15.5.4", "the HTTP specification"])
def test_a_card_that_cites_a_specification_needs_a_ref(citation: str) -> None:
    answer = f"As {citation} says, the server must answer."
    assert card_warnings(answer=answer) == [f"'good' cites {citation!r} but has no ref"]
    assert card_warnings(answer=answer, ref="RFC 9110 §15.5.4") == []


def words(start: int, stop: int) -> frozenset[str]:
    return frozenset(f"w{i}" for i in range(start, stop))


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    return len(first & second) / len(first | second)


@given(
    st.lists(st.frozensets(st.sampled_from("abcdefghijklmnop"), min_size=1, max_size=15), max_size=40),
    st.sampled_from([0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0]),
)
# Exactly at the threshold, where float rounding lifts a bound: 0.56 * 25 and 2 * 0.65 / 1.65 * 33.
@example([words(0, 14), words(0, 25)], 0.56)
@example([words(0, 33), words(7, 40)], 0.65)
def test_similar_pairs_finds_exactly_what_comparing_every_pair_finds(sets: list[frozenset[str]], threshold: float) -> None:
    every_pair = [(i, j) for i, j in combinations(range(len(sets)), 2) if jaccard(sets[i], sets[j]) >= threshold]
    assert similar_pairs(sets, threshold) == every_pair


def test_near_duplicates_are_found_across_files_and_sections() -> None:
    """The rule compares every question with every other, wherever it is: a reworded copy in
    another section's file is found exactly when comparing every pair of cards finds it."""
    rng = random.Random(5)
    vocabulary = [f"term{i}" for i in range(40)]
    cards: list[Card] = []
    for number in range(400):
        section = ("apis", "databases", "security")[number % 3]
        if number % 5 == 4:
            words = cards[rng.randrange(len(cards))].question.rstrip("?").split()
            words = rng.sample(words, len(words))  # reordered, then one word added, dropped or changed
            words = [*words, rng.choice(vocabulary)] if number % 3 == 0 else words[:-1] if number % 3 == 1 else [*words[:-1], rng.choice(vocabulary)]
        else:
            words = rng.sample(vocabulary, rng.randint(3, 12))
        path = Path(f"{section}/file{number % 7}.md")
        cards.append(replace(GOOD, id=f"card-{number}", question=" ".join(words) + "?", section=section, path=path, line=number))
    comparable = [(card, question_words(card.question)) for card in cards if len(question_words(card.question)) >= THRESHOLDS.near_duplicate_min_words]
    every_pair = {
        (second.id, first.id)
        for (first, first_words), (second, second_words) in combinations(comparable, 2)
        if jaccard(first_words, second_words) >= THRESHOLDS.near_duplicate_similarity
    }
    by_id = {card.id: card for card in cards}
    assert sum(by_id[a].section != by_id[b].section for a, b in every_pair) >= 20
    found = {
        (p.message.split("'")[1], p.message.split("'")[3])
        for p in quality_warnings(tuple(cards), SYLLABUS)
        if "nearly repeats" in p.message
    }
    assert found == every_pair


def test_a_question_about_code_it_does_not_show_is_flagged() -> None:
    question = "In what order do these callbacks run in Node.js?"
    assert card_warnings(question=question) == ["question of 'good' refers to something it does not show"]
    assert card_warnings(question=question, prompt="```javascript\nsetTimeout(f);\n```") == []
