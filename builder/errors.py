"""Problems found in the sources, and the one exception that ends a run cleanly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal

import click

Severity = Literal["error", "warning"]
CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


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
        return _one_line(f"{self.path}:{self.line}: {label}{self.message} — {self.hint}")


def _one_line(text: str) -> str:
    """Messages quote what an author wrote, which may hold a line break: an editor jumping to
    `file:line` needs each problem on one line, so control characters are shown escaped."""
    return CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def problem(path: Path | str, line: int, message: str, hint: str, severity: Severity = "error") -> Problem:
    return Problem(str(path), line, message, hint, severity)


class BuilderError(click.ClickException):
    """A user mistake: printed as one line by Click, exit code 1, no traceback."""


class BuildAborted(BuilderError):
    """The sources have errors; each was already printed on its own line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        errors = sum(p.is_error for p in problems)
        super().__init__(f"{errors} error(s) in the cards; nothing was written")
