"""Problems found in the sources, and the one exception that ends a run cleanly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal

import click

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the sources, located so an author can jump to it."""

    path: str
    line: int
    message: str
    hint: str
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        label = "" if self.is_error else "warning: "
        return f"{self.path}:{self.line}: {label}{self.message} — {self.hint}"


def problem(path: Path | str, line: int, message: str, hint: str, severity: Severity = "error") -> Problem:
    return Problem(str(path), line, message, hint, severity)


class BuilderError(click.ClickException):
    """A user mistake: printed as one line by Click, exit code 1, no traceback."""


class BuildAborted(BuilderError):
    """The sources have errors; each was already printed on its own line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        errors = sum(p.is_error for p in problems)
        super().__init__(f"{errors} error(s) in the cards; nothing was written")
