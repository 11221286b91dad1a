"""Output: files appear whole or not at all, so a failed build leaves dist/ as it was.

Every output is written to a temporary sibling and renamed over the target. The temporary's
name carries the writing process's id: a build that was killed (where no cleanup runs) leaves
one behind, and the next write of the same target removes it once that process is gone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import BuilderError

OUTPUT_HINT = "choose another -o/--output path"


class UnwritableOutput(BuilderError):
    """The file system refused a write (a folder in the way, no space, no permission)."""


def check_targets(cards_dir: Path, targets: Iterable[Path]) -> None:
    """Refuse, before anything is written, targets that cannot be written or would overwrite a
    source: so that a build never stops half-way through its outputs."""
    sources = cards_dir.resolve()
    for target in targets:
        resolved = target.resolve()
        if resolved == sources or sources in resolved.parents:
            raise BuilderError(f"'{target}' is inside the card folder '{cards_dir}' — {OUTPUT_HINT}, such as dist/")
        if target.is_dir():
            raise BuilderError(f"'{target}' is a folder — {OUTPUT_HINT} that names a file")
        parent = next((p for p in (target.parent, *target.parent.parents) if p.exists()), Path("."))
        if not parent.is_dir():
            raise BuilderError(f"'{parent}' is a file, so '{target}' cannot be created — {OUTPUT_HINT}")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise BuilderError(f"'{parent}' is not writable — {OUTPUT_HINT}")


def write_atomically(path: Path, data: bytes, hint: str = OUTPUT_HINT) -> None:
    """Readers see the old file or the new one, never a half-written one. A refused write is an
    error with `hint` (by default, for an output the command line named)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temporary_prefix(path), suffix=".tmp")
    except OSError as exc:
        raise UnwritableOutput(f"cannot write '{path}': {exc.strerror or exc} — {hint}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        os.unlink(tmp)
        if isinstance(exc, OSError):
            raise UnwritableOutput(f"cannot write '{path}': {exc.strerror or exc} — {hint}") from None
        raise


def temporary_prefix(path: Path) -> str:
    return f".{path.name}.{os.getpid()}."


def remove_stale(path: Path) -> None:
    """Remove the temporaries that killed writers of `path` left behind."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        pid = leftover.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
