"""Select: which cards a build includes, by level and section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cards import Card


@dataclass(frozen=True)
class Selection:
    """Empty tuples mean "no filter"; `name` labels output files, e.g. 'up-to-senior'."""

    levels: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    name: str = ""

    def admits(self, card: Card) -> bool:
        return (not self.levels or card.level in self.levels) and (not self.sections or card.section in self.sections)


def select(cards: tuple[Card, ...], selection: Selection) -> tuple[Card, ...]:
    return tuple(card for card in cards if selection.admits(card))
