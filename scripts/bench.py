"""Benchmark: time and peak memory of the commands a user runs, on the shipped deck.

Each command runs as a separate process on a copy of cards/ (builds update the note history);
the figures are the median wall time of several runs and the largest peak resident memory of
any single process of the command (the PDF command's worker processes included).
Usage: python scripts/bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(args: list[str], runs: int) -> tuple[float, float]:
    """(median seconds, peak MiB) over `runs` runs of `python -m builder ARGS`."""
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        pid = subprocess.Popen([sys.executable, "-m", "builder", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).pid
        _, status, usage = os.wait4(pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: builder {' '.join(args)}")
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        cards = Path(shutil.copytree(ROOT / "cards", Path(tmp) / "cards"))
        out = Path(tmp)
        commands = {
            "lint": ["lint", "--cards", str(cards)],
            "build (whole deck)": ["build", "--cards", str(cards), "-o", str(out / "deck.apkg")],
            "build --up-to junior": ["build", "--cards", str(cards), "--up-to", "junior", "-o", str(out / "junior.apkg")],
            "stats --json": ["stats", "--cards", str(cards), "--json"],
            "pdf (whole deck, A4)": ["pdf", "--cards", str(cards), "-o", str(out / "deck.pdf")],
            "site (whole deck)": ["site", "--cards", str(cards), "-o", str(out / "site")],
            "check-code": ["check-code", "--cards", str(cards)],
        }
        print(f"{'command':<24} {'median s':>9} {'peak MiB':>9}")
        figures = {}
        for name, args in commands.items():
            figures[name] = seconds, peak = measure(args, runs)
            print(f"{name:<24} {seconds:>9.2f} {peak:>9.1f}")
        pages = len(PdfReader(out / "deck.pdf").pages)
        print(f"whole-deck .apkg: {(out / 'deck.apkg').stat().st_size / 1024:.0f} KiB")
        print(f"whole-deck PDF: {pages} pages, {pages / figures['pdf (whole deck, A4)'][0]:.1f} pages/s end to end")
        count, cold, warm = diagram_times(cards)
        print(f"diagrams: {count} drawn in {cold:.2f} s with an empty cache, {warm:.3f} s with it warm")


def diagram_times(cards: Path) -> tuple[int, float, float]:
    """Drawing every diagram of the deck with an empty cache, then again with it warm."""
    from builder import diagrams
    from builder.cards import load_cards
    from builder.snippets import deck_snippets

    sources = [s.code for s in deck_snippets(load_cards(cards).cards) if s.language == diagrams.LANGUAGE]
    with tempfile.TemporaryDirectory() as cache:
        diagrams.CACHE_DIR = Path(cache)
        times = []
        for _ in range(2):
            start = time.perf_counter()
            for source in sources:
                diagrams.draw(source)
            times.append(time.perf_counter() - start)
    return len(sources), times[0], times[1]


if __name__ == "__main__":
    main()
