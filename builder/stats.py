"""Stats: how many cards each section and level has, how many ask for judgement or cite a
source, how their code is checked, and which syllabus topics have none."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .cards import Card
from .levels import LEVELS
from .quality import asks_why, is_scenario
from .snippets import CHECKS, deck_snippets, how_checked
from .syllabus import Syllabus


@dataclass(frozen=True)
class DeckStats:
    total: int
    by_level: dict[str, int]
    by_section: dict[str, int]
    by_section_level: dict[str, dict[str, int]]
    #: Per section, how many cards have each trait of `TRAITS` (the card-writing rules' shares).
    by_section_trait: dict[str, dict[str, int]]
    #: Per language, how many code blocks the tests run, parse, skip as fragments, or cannot check.
    code_blocks: dict[str, dict[str, int]]
    covered: tuple[str, ...]
    uncovered: tuple[str, ...]
    topic_count: int

    def as_json(self) -> dict:
        return {
            "total": self.total,
            "by_level": self.by_level,
            "by_section": self.by_section,
            "by_section_level": self.by_section_level,
            "by_section_trait": self.by_section_trait,
            "code_blocks": self.code_blocks,
            "topics": self.topic_count,
            "covered_topics": list(self.covered),
            "uncovered_topics": list(self.uncovered),
        }


#: The shares the card-writing rules set: judgement questions, scenarios, clozes, cited sources.
TRAITS: dict[str, Callable[[Card], bool]] = {
    "why": asks_why,
    "scenario": is_scenario,
    "cloze": lambda card: card.is_cloze,
    "ref": lambda card: bool(card.ref),
}


def deck_stats(cards: tuple[Card, ...], syllabus: Syllabus) -> DeckStats:
    pairs = Counter((card.section, card.level) for card in cards)
    traits = Counter((card.section, name) for card in cards for name, has in TRAITS.items() if has(card))
    checks = Counter((snippet.language or "unlabelled", how_checked(snippet)) for snippet in deck_snippets(cards))
    topics_with_cards = {card.topic for card in cards}
    all_topics = [t.id for s in syllabus.sections for t in s.topics]
    return DeckStats(
        total=len(cards),
        by_level={level: sum(pairs[s, level] for s in syllabus.section_ids) for level in LEVELS},
        by_section={s: sum(pairs[s, level] for level in LEVELS) for s in syllabus.section_ids},
        by_section_level={s: {level: pairs[s, level] for level in LEVELS} for s in syllabus.section_ids},
        by_section_trait={s: {name: traits[s, name] for name in TRAITS} for s in syllabus.section_ids},
        code_blocks={
            language: {check: checks[language, check] for check in CHECKS} for language in sorted({lang for lang, _ in checks})
        },
        covered=tuple(t for t in all_topics if t in topics_with_cards),
        uncovered=tuple(t for t in all_topics if t not in topics_with_cards),
        topic_count=len(all_topics),
    )


def stats_table(stats: DeckStats, syllabus: Syllabus) -> str:
    """A plain-text table: sections down, levels across, totals on both edges, then the gaps."""
    width = max(len(s) for s in (*syllabus.section_ids, "section", "total"))
    header = f"{'section':<{width}} " + " ".join(f"{level:>9}" for level in LEVELS) + f" {'total':>7}"
    rows = [header, "-" * len(header)]
    for section in syllabus.section_ids:
        counts = stats.by_section_level[section]
        rows.append(f"{section:<{width}} " + " ".join(f"{counts[lv]:>9}" for lv in LEVELS) + f" {stats.by_section[section]:>7}")
    rows.append("-" * len(header))
    rows.append(f"{'total':<{width}} " + " ".join(f"{stats.by_level[lv]:>9}" for lv in LEVELS) + f" {stats.total:>7}")
    rows.append("")
    rows.extend(_trait_table(stats, syllabus, width))
    rows.append("")
    rows.extend(_code_table(stats, width))
    rows.append("")
    rows.append(f"syllabus coverage: {len(stats.covered)} of {stats.topic_count} topics have a card")
    topics = syllabus.topics_by_id
    for section in syllabus.sections:
        gaps = [t for t in stats.uncovered if topics[t].section == section.id]
        if gaps:
            rows.append(f"  {section.id}: {len(gaps)} without a card: {', '.join(gaps)}")
    return "\n".join(rows)


def _trait_table(stats: DeckStats, syllabus: Syllabus, width: int) -> list[str]:
    """Shares of the card-writing rules per section: why/when questions, scenarios, clozes, refs."""
    header = f"{'share':<{width}} " + " ".join(f"{name:>9}" for name in TRAITS)
    rows = [header, "-" * len(header)]
    for section in syllabus.section_ids:
        cards = stats.by_section[section]
        if cards:
            counts = stats.by_section_trait[section]
            rows.append(f"{section:<{width}} " + " ".join(f"{counts[name] / cards:>9.0%}" for name in TRAITS))
    return rows


def _code_table(stats: DeckStats, width: int) -> list[str]:
    """How the tests check each language's code blocks."""
    header = f"{'code blocks':<{width}} " + " ".join(f"{check:>9}" for check in CHECKS)
    rows = [header, "-" * len(header)]
    for language, counts in stats.code_blocks.items():
        rows.append(f"{language:<{width}} " + " ".join(f"{counts[check]:>9}" for check in CHECKS))
    return rows
