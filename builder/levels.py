"""Seniority levels, ordered by the scope an answer needs."""

LEVELS: tuple[str, ...] = ("junior", "mid", "senior", "staff", "principal")


def up_to(level: str) -> tuple[str, ...]:
    """The cumulative selection: every level from junior to `level` inclusive."""
    return LEVELS[: LEVELS.index(level) + 1]
