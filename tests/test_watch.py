"""The watch, as an author runs it: a process that lints and rebuilds after each save."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent
#: Generous: the machine running the tests may be busy. No test asserts how fast a watch is.
TIMEOUT = 120


class Watch:
    """`backend-cards watch` in a subprocess, its output read line by line as it comes."""

    def __init__(self, *args: str | Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "builder", "watch", *map(str, args)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=lambda: [self.lines.put(line.rstrip("\n")) for line in self.process.stdout], daemon=True)
        self.reader.start()

    def wait_for(self, pattern: str) -> list[str]:
        """The lines printed up to the first that matches `pattern`."""
        printed = []
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.process.poll() is None, f"watch ended with {self.process.returncode}: {self.seen}"
                continue
            printed.append(line)
            self.seen.append(line)
            if re.search(pattern, line):
                return printed
        raise AssertionError(f"no line matched {pattern!r} within {TIMEOUT} s: {self.seen}")

    def stop(self) -> tuple[int, list[str]]:
        """Ctrl-C: the exit code, and every line printed."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=TIMEOUT)
        self.reader.join(timeout=TIMEOUT)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return self.process.returncode, self.seen


def test_an_edit_is_linted_and_rebuilt_and_ctrl_c_ends_the_watch(minimal: Path, tmp_path: Path) -> None:
    package = tmp_path / "dist" / "backend-interview.apkg"
    card_file = minimal / "apis" / "status.md"
    text = card_file.read_text(encoding="utf-8")
    watch = Watch("--cards", minimal, "-o", tmp_path / "dist")
    try:
        assert any("lint: no errors" in line for line in watch.wait_for(r"^rebuilt "))
        assert watch.seen[-1].startswith(f"rebuilt {package} (6 notes) in ")
        built = package.read_bytes()

        card_file.write_text(text.replace("level: principal", "level: guru"), encoding="utf-8")
        printed = watch.wait_for(r"^lint: ")
        assert printed[0] == f"changed: {card_file}"
        assert f"{card_file}:13: unknown level 'guru' — expected one of: junior, mid, senior, staff, principal" in printed
        assert printed[-1].startswith("lint: 1 error(s) in the cards; nothing was written")
        assert package.read_bytes() == built

        card_file.write_text(text.replace("lacks permission?", "lacks the permission?"), encoding="utf-8")
        printed = watch.wait_for(r"rebuilt ")
        assert printed[-1].startswith(f"rebuilt {package} (6 notes) in ")
        assert package.read_bytes() != built
    finally:
        code, printed = watch.stop()
    assert code == 0
    assert printed[-1] == "watch: stopped"
    assert not any("Traceback" in line for line in printed)


def test_a_watch_without_outputs_only_lints(minimal: Path, tmp_path: Path) -> None:
    (minimal / "apis" / "status.md").write_text("no front matter\n", encoding="utf-8")
    watch = Watch("--cards", minimal, "-o", tmp_path / "dist", "--no-apkg")
    try:
        printed = watch.wait_for(r"^lint: ")
    finally:
        code, _ = watch.stop()
    assert printed[0] == f"watching {minimal} (Ctrl-C to stop); rebuilding nothing (lint only)"
    assert f"{minimal / 'apis' / 'status.md'}:1: missing YAML front matter" in printed[1]
    assert code == 0
    assert not (tmp_path / "dist").exists()
