"""Benchmark: how fast and how big the commands a user runs are, with a peer tool side by side.

Every figure is a whole process as a user starts it, run --runs times and printed as the median
(min–max) of the runs: wall seconds; CPU seconds of the process and all its descendants (the
workers of a parallel command included), the steadier figure on a loaded machine; the peak of
their resident memory summed, sampled every 50 ms; and how busy the cores were (CPU time /
wall time / cores). "Cold" runs start with no cache: the `.cache` folder beside the cards
folder (rendered HTML, kept builds, laid-out card pages) and the checkout's drawn diagrams
(`.cache/diagrams`) are deleted before each. "Warm" runs follow a build with nothing changed since.

Sections, each printed as soon as it is measured:
  the peer, markdown-anki-decks 1.1.1 (installed into .cache/bench-peer*-venv on first use),
  as pip installs it and with Pygments added, against our cold `build` of the same 10k
  generated cards; `build` of 10k cards cold, warm and after one edit, and cold at 1k / 3k /
  10k / 30k; `lint` and `stats` of 10k; `pdf` (A4, index cards) of 1k / 3k / 10k; the shipped
  deck's commands; `make` in a fresh clone of the repository's last commit, then again with
  nothing changed.
--quick skips the slow ones: 30k cards, the 10k and shipped-deck PDFs, and `make`.
Usage: python scripts/bench.py [--runs N] [--quick]
"""

from __future__ import annotations

import argparse
import ctypes
import itertools
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pygments
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.anki import ROOT_DECK  # noqa: E402 (the checkout's builder, not an installed one)
from builder.cache import cache_root  # noqa: E402
from builder.cards import card_files, load_cards  # noqa: E402
from builder.diagrams import CACHE_DIR as DIAGRAMS_CACHE  # noqa: E402
from builder.syllabus import load_syllabus  # noqa: E402
from synthetic_deck import write_deck  # noqa: E402

PEER = "markdown-anki-decks==1.1.1"
#: The peer's typer 0.4 fails on click 8.2's changed metavar call.
PEER_PINS = ("click<8.2",)
#: The peer as pip installs it, and with the Pygments we use: Pygments is not among its
#: dependencies, and without it its Markdown leaves code unhighlighted, work ours does.
PEERS = {
    "markdown-anki-decks 1.1.1": ("bench-peer-venv", ()),
    "markdown-anki-decks 1.1.1 + Pygments": ("bench-peer-pygments-venv", (f"pygments=={pygments.__version__}",)),
}
CORES = os.cpu_count() or 1
SAMPLE_SECONDS = 0.05
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
#: prctl(2): orphaned descendants become this process's children, not init's.
PR_SET_CHILD_SUBREAPER = 36
MIB = 1024 * 1024
#: Deck sizes by figure; --quick leaves out the last of each, which takes minutes.
SCALING_SIZES = (1_000, 3_000, 10_000, 30_000)
PDF_SIZES = (1_000, 3_000, 10_000)
COLUMNS = ("seconds", "CPU seconds", "peak MiB", "cores busy %")


@dataclass(frozen=True)
class Run:
    """One run of a command."""

    seconds: float
    cpu_seconds: float
    peak_bytes: int

    @property
    def busy(self) -> float:
        """The share of the machine's cores the command kept busy, 0..1."""
        return self.cpu_seconds / self.seconds / CORES


def timed_environment() -> dict[str, str]:
    """This process's environment, with Python writing and reusing bytecode as it does for a
    user: an environment that turns it off would time compiling the builder at every run."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def run(command: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> Run:
    """Run `command` to its end while sampling its process tree's memory; a failing command
    stops the benchmark with its own error output."""
    env = timed_environment() if env is None else env
    peak = 0
    ended = threading.Event()
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)

        def sample() -> None:
            nonlocal peak
            while True:
                peak = max(peak, tree_rss(process.pid))
                if ended.wait(SAMPLE_SECONDS):
                    return

        sampler = threading.Thread(target=sample)
        sampler.start()
        # wait4 rather than Popen.wait: its CPU times include every descendant the command waited for.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        cpu_seconds = usage.ru_utime + usage.ru_stime + reap_orphans()
        ended.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            sys.exit(f"failed: {' '.join(command)}\n{errors.read().decode(errors='replace')[-3000:]}")
    # Not ru_maxrss: a forked child starts out counting this process's own memory.
    return Run(seconds, cpu_seconds, peak)


def adopt_orphans() -> None:
    """Become the parent of the processes a command leaves behind. A PDF build's layout workers
    are children of multiprocessing's fork server, which the build never waits for: it ends
    after the build, orphaned, and only its parent learns the CPU time of its workers."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap_orphans() -> float:
    """The CPU seconds of the adopted processes (and their descendants), once they have all ended."""
    total = 0.0
    while True:
        try:
            _, _, usage = os.wait4(-1, 0)
        except ChildProcessError:
            return total
        total += usage.ru_utime + usage.ru_stime


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants now. Each /proc/PID/stat gives a
    process's parent and resident pages (/proc/PID/task/*/children needs a kernel option)."""
    children: dict[int, list[int]] = defaultdict(list)
    pages: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "PID (name)": state, ppid, …
        except OSError:  # the process ended meanwhile
            continue
        pid = int(stat.parent.name)
        children[int(fields[1])].append(pid)
        pages[pid] = int(fields[21])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += pages.get(pid, 0)
        stack.extend(children[pid])
    return total * PAGE_BYTES


def repeat(command: list[str], runs: int, before: Callable[[], None] | None = None) -> list[Run]:
    """`runs` runs of `command`, each after `before()` if given (which readies the deck: cold,
    edited); without it, each run finds what the previous one left."""
    results = []
    for _ in range(runs):
        if before:
            before()
        results.append(run(command))
    return results


def builder(*args: object) -> list[str]:
    """`python -m builder ARGS`, run from the checkout's root: this checkout's code."""
    return [sys.executable, "-m", "builder", *map(str, args)]


def cold(cards: Path) -> Callable[[], None]:
    """What readies a cold run: deleting the cache beside the cards folder, and the drawn
    diagrams, which the builder keeps in its checkout for every card folder."""

    def clear() -> None:
        for cache in (cache_root(cards), DIAGRAMS_CACHE):
            shutil.rmtree(cache, ignore_errors=True)

    return clear


def edit_one_card(cards: Path) -> Callable[[], None]:
    """What readies a one-edit run: a new last sentence for one card, different each time."""
    path = card_files(cards)[0]
    original = path.read_text(encoding="utf-8")
    edits = itertools.count(1)
    return lambda: path.write_text(f"{original}\nEdited {next(edits)} times.\n", encoding="utf-8")


class Decks:
    """Generated decks by card count, each written once, in its own folder."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.folders: dict[int, Path] = {}

    def cards(self, count: int) -> Path:
        if count not in self.folders:
            self.folders[count] = write_deck(self.tmp / f"deck-{count}", count)
        return self.folders[count]


# Printing ---------------------------------------------------------------------------------------


def spread(values: list[float], digits: int = 2) -> str:
    """'median (min–max)'."""
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def median_seconds(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def figures(runs: list[Run]) -> list[str]:
    """The COLUMNS of a row."""
    return [
        spread([r.seconds for r in runs]),
        spread([r.cpu_seconds for r in runs]),
        spread([r.peak_bytes / MIB for r in runs], 0),
        spread([100 * r.busy for r in runs], 0),
    ]


def table(title: str, header: tuple[str, ...], rows: list[list[str]]) -> None:
    """A section: its title, then aligned columns (the first left-aligned, numbers right)."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    print(f"\n{title}")
    for row in (header, *rows):
        cells = [cell.ljust(width) if i == 0 else cell.rjust(width) for i, (cell, width) in enumerate(zip(row, widths))]
        print("  " + "  ".join(cells).rstrip(), flush=True)


def note(text: str) -> None:
    print(f"  {text}", flush=True)


# The peer ---------------------------------------------------------------------------------------


def peer_command(venv_name: str, extras: tuple[str, ...]) -> Path:
    """The peer's `mdankideck`, installed on first use into a virtual environment of its own
    under .cache/ (git-ignored)."""
    venv = ROOT / ".cache" / venv_name
    command = venv / "bin" / "mdankideck"
    if not command.exists():
        note(f"installing {' '.join((PEER, *extras))} into {venv.relative_to(ROOT)}")
        subprocess.run([sys.executable, "-m", "venv", "--clear", venv], check=True)
        subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", PEER, *PEER_PINS, *extras], check=True)
    return command


def write_peer_deck(cards: Path, out: Path) -> Path:
    """The same cards in the peer's format: a Markdown file per deck with the deck's name as
    its `#` title, each card a `##` question with its answer (code blocks and clozes as
    written) below. The peer has no card ids, levels or tags, and its front shows the
    heading only; with --cloze it reads clozes in the heading, where ours are."""
    by_section: dict[str, list[str]] = defaultdict(list)
    for card in load_cards(cards).cards:
        by_section[card.section].append(f"## {card.question}\n\n{card.answer}\n")
    out.mkdir()
    syllabus, _ = load_syllabus(cards)
    for section in syllabus.sections:
        (out / f"{section.id}.md").write_text(f"# {section.deck}\n\n" + "\n".join(by_section[section.id]), encoding="utf-8")
    return out


def package_counts(packages: list[Path]) -> tuple[int, int]:
    """(notes, cloze notes) in Anki packages, read from their collections: both tools must
    have written the same cards for the comparison to hold."""
    notes = clozes = 0
    for package in packages:
        with tempfile.TemporaryDirectory() as tmp:
            with zipfile.ZipFile(package) as archive:
                collection_file = archive.extract("collection.anki2", tmp)
            with closing(sqlite3.connect(collection_file)) as collection:
                models = json.loads(collection.execute("SELECT models FROM col").fetchone()[0])
                cloze_models = {int(model_id) for model_id, model in models.items() if model["type"] == 1}
                note_models = [model_id for (model_id,) in collection.execute("SELECT mid FROM notes")]
        notes += len(note_models)
        clozes += sum(model_id in cloze_models for model_id in note_models)
    return notes, clozes


# The figures ------------------------------------------------------------------------------------


def peer_figures(decks: Decks, runs: int, tmp: Path) -> list[Run]:
    """The peer and our cold build on the same 10k cards, run by turns so that the machine's
    load weighs on all alike; returns our runs, the cold figure of later sections."""
    cards = decks.cards(10_000)
    peer_cards, peer_out = write_peer_deck(cards, tmp / "peer-cards"), tmp / "peer-packages"
    peer_out.mkdir()
    peers = {
        name: [str(peer_command(*venv)), str(peer_cards), str(peer_out), "--cloze", "--prefix", f"{ROOT_DECK}::"]
        for name, venv in PEERS.items()
    }
    ours = builder("build", "--cards", cards, "-o", cards.parent / "deck.apkg")
    peer_runs: dict[str, list[Run]] = defaultdict(list)
    our_runs: list[Run] = []
    for _ in range(runs):
        for name, command in peers.items():
            peer_runs[name] += repeat(command, 1)
        our_runs += repeat(ours, 1, cold(cards))
    rows = [[name, *figures(r)] for name, r in peer_runs.items()]
    table("10k cards: the peer against our cold build", ("", *COLUMNS), [*rows, ["ours: build, cold", *figures(our_runs)]])
    for name, r in peer_runs.items():
        wall = [p.seconds / o.seconds for p, o in zip(r, our_runs)]
        cpu = [p.cpu_seconds / o.cpu_seconds for p, o in zip(r, our_runs)]
        note(f"ours faster than {name} by {spread(wall, 1)}x in wall time (target: at least 3x), {spread(cpu, 1)}x in CPU time")
    packages = sorted(peer_out.glob("*.apkg"))
    (peer_notes, peer_clozes), (our_notes, our_clozes) = package_counts(packages), package_counts([cards.parent / "deck.apkg"])
    note(f"notes: the peer {peer_notes} ({peer_clozes} clozes) in {len(packages)} packages, ours {our_notes} ({our_clozes} clozes)")
    return our_runs


def build_figures(decks: Decks, runs: int, cold_runs: list[Run]) -> None:
    """An author's builds of 10k cards: from nothing, with nothing changed, after one edit."""
    cards = decks.cards(10_000)
    command = builder("build", "--cards", cards, "-o", cards.parent / "deck.apkg")
    run(command)  # the cache the warm runs find
    warm = repeat(command, runs)
    edited = repeat(command, runs, edit_one_card(cards))
    table("build, 10k cards", ("", *COLUMNS), [
        ["cold (no cache)", *figures(cold_runs)],
        ["warm (nothing changed)", *figures(warm)],
        ["one card edited", *figures(edited)],
    ])
    warm_share, edited_share = (spread([100 * one.seconds / median_seconds(cold_runs) for one in r], 0) for r in (warm, edited))
    note(f"of the median cold time: warm {warm_share} % (target: at most 5 %), one edit {edited_share} % (target: at most 10 %)")


def scaling_figures(decks: Decks, runs: int, cold_10k: list[Run], sizes: tuple[int, ...]) -> None:
    """Cold builds by deck size (the 10k figure is the peer section's)."""
    rows = []
    for size in sizes:
        cards = decks.cards(size)
        command = builder("build", "--cards", cards, "-o", cards.parent / "deck.apkg")
        results = cold_10k if size == 10_000 else repeat(command, runs, cold(cards))
        rows.append([f"{size:,}", *figures(results), spread([size / r.seconds for r in results], 0)])
    table("build, cold, by deck size", ("cards", *COLUMNS, "cards/s"), rows)


def lint_stats_figures(decks: Decks, runs: int) -> None:
    """The author's checks on 10k cards, cold and after a build."""
    cards = decks.cards(10_000)
    lint = builder("lint", "--cards", cards)
    lint_cold = repeat(lint, runs, cold(cards))
    run(builder("build", "--cards", cards, "-o", cards.parent / "deck.apkg"))
    table("lint and stats, 10k cards", ("", *COLUMNS), [
        ["lint, cold", *figures(lint_cold)],
        ["lint, after a build", *figures(repeat(lint, runs))],
        ["stats", *figures(repeat(builder("stats", "--cards", cards), runs))],
    ])


def pdf_figures(decks: Decks, runs: int, sizes: tuple[int, ...]) -> None:
    """Card sheets (A4, index cards, duplex) by deck size, cold."""
    rows = []
    for size in sizes:
        cards = decks.cards(size)
        pdf = cards.parent / "deck.pdf"
        results = repeat(builder("pdf", "--cards", cards, "-o", pdf), runs, cold(cards))
        pages = len(PdfReader(pdf).pages)
        rows.append([f"{size:,}", str(pages), *figures(results), spread([pages / r.seconds for r in results], 1)])
    table("pdf, A4 index cards, cold, by deck size", ("cards", "pages", *COLUMNS, "pages/s"), rows)


def shipped_figures(tmp: Path, runs: int, with_pdf: bool) -> None:
    """Every command on a copy of the shipped deck (builds rewrite its note history)."""
    cards = Path(shutil.copytree(ROOT / "cards", tmp / "shipped" / "cards"))
    out = cards.parent
    commands = [
        ("lint, cold", ["lint"], cold(cards)),
        ("build, cold", ["build", "-o", out / "deck.apkg"], cold(cards)),
        ("build, warm", ["build", "-o", out / "deck.apkg"], None),  # after the cold builds
        ("build --up-to junior, cold", ["build", "--up-to", "junior", "-o", out / "junior.apkg"], cold(cards)),
        ("stats --json", ["stats", "--json"], None),
        ("site, cold", ["site", "-o", out / "site"], cold(cards)),
        ("check-code", ["check-code"], None),
        *([("pdf, A4, cold", ["pdf", "-o", out / "deck.pdf"], cold(cards))] if with_pdf else []),
    ]
    results = {name: repeat(builder(command, "--cards", cards, *args), runs, before) for name, (command, *args), before in commands}
    table(f"the shipped deck ({len(load_cards(cards).cards):,} cards)", ("", *COLUMNS), [[name, *figures(r)] for name, r in results.items()])
    note(f".apkg: {(out / 'deck.apkg').stat().st_size / 1024:.0f} KiB")
    if with_pdf:
        pages = len(PdfReader(out / "deck.pdf").pages)
        note(f"PDF: {pages} pages, {spread([pages / r.seconds for r in results['pdf, A4, cold']], 1)} pages/s end to end")
    diagram_figures(cards, runs)


def diagram_figures(cards: Path, runs: int) -> None:
    """Drawing every diagram of the deck in this process, with an empty cache, then warm."""
    from builder import diagrams
    from builder.snippets import deck_snippets

    sources = [s.code for s in deck_snippets(load_cards(cards).cards) if s.language == diagrams.LANGUAGE]
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            diagrams.CACHE_DIR = Path(cache)
            for state in ("empty", "warm"):
                start = time.perf_counter()
                for source in sources:
                    diagrams.draw(source)
                times[state].append(time.perf_counter() - start)
    note(f"diagrams: {len(sources)} drawn in {spread(times['empty'])} s with an empty cache, {spread(times['warm'], 3)} s warm")


def make_figures(tmp: Path, runs: int) -> None:
    """`make` as after a fresh `git clone`, then again with nothing changed. The clone uses
    this benchmark's virtual environment (VENV=…), so that the figure is the decks and sheets,
    not pip: its install stamp is touched after each clone, whose files are newer, so that
    neither make nor its sub-make installs the clone into it (`make -o` would not reach the
    sub-make). Make's own variables are dropped from the environment: under `make bench` they
    would turn the clone's make into a sub-make."""
    venv = Path(sys.prefix)
    command = ["make", f"VENV={venv}"]
    env = {key: value for key, value in timed_environment().items() if key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    fresh, again = [], []
    for number in range(runs):
        clone = tmp / f"clone-{number}"
        subprocess.run(["git", "clone", "--quiet", ROOT, clone], check=True)
        (venv / ".installed").touch()
        fresh.append(run(command, clone, env))
        again.append(run(command, clone, env))
        shutil.rmtree(clone)
    table("make: every deck, sheet, export and the site", ("", *COLUMNS), [
        ["fresh clone", *figures(fresh)],
        ["again, nothing changed", *figures(again)],
    ])
    note("the clone holds the last commit: uncommitted changes are not measured")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Runs per figure (default 3).")
    parser.add_argument("--quick", action="store_true", help="Skip 30k cards, the 10k and shipped-deck PDFs, and make.")
    args = parser.parse_args()
    adopt_orphans()
    started = time.perf_counter()
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"{CORES} cores; load average {load} at the start; figures: median (min–max) of {args.runs} runs", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-") as name:
        tmp = Path(name)
        decks = Decks(tmp)
        cold_10k = peer_figures(decks, args.runs, tmp)
        build_figures(decks, args.runs, cold_10k)
        scaling_figures(decks, args.runs, cold_10k, SCALING_SIZES[:-1] if args.quick else SCALING_SIZES)
        lint_stats_figures(decks, args.runs)
        pdf_figures(decks, args.runs, PDF_SIZES[:-1] if args.quick else PDF_SIZES)
        shipped_figures(tmp, args.runs, with_pdf=not args.quick)
        if not args.quick:
            make_figures(tmp, args.runs)
    print(f"\nbench took {(time.perf_counter() - started) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
