"""Diagrams drawn from text at build time: an SVG in the Anki media, vector paths in the PDF,
and a broken or unsafe diagram stopped at its line."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pdfplumber
import pytest

from builder import diagrams

from .conftest import AnkiCollection, build, run

DIAGRAM = 'digraph { rankdir=LR; node [shape=box]; app -> cache [label="1 get"]; app -> db [label="2 miss"]; }'


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(diagrams, "CACHE_DIR", tmp_path / "diagram-cache")
    return tmp_path / "diagram-cache"


def add_diagram_card(cards: Path, source: str = DIAGRAM) -> int:
    """A card whose answer is a diagram; returns the line of its fence."""
    path = cards / "apis" / "status.md"
    text = path.read_text() + "\n## How does a cache-aside read go?\n<!-- id: cache-aside-read -->\n\n"
    fence_line = text.count("\n") + 1
    path.write_text(text + f"```dot\n{source}\n```\n\nCache first, the database on a miss.\n")
    return fence_line


def test_anki_gets_the_svg_as_media(minimal: Path, tmp_path: Path, collection: AnkiCollection) -> None:
    add_diagram_card(minimal)
    collection.import_package(build(minimal, tmp_path / "deck.apkg"))
    collection.reopen()
    [note_id] = collection.col.find_notes('"Back:*diagram-*"')
    name = diagrams.file_name(DIAGRAM + "\n")
    assert f'<img class="diagram" src="{name}"' in collection.col.get_note(note_id)["Back"]
    svg = Path(collection.col.media.dir()) / name
    assert svg.is_file() and "<svg" in svg.read_text() and "<a " not in svg.read_text()


def test_the_pdf_draws_the_diagram_in_vector_lines(minimal: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.pdf"
    assert run("pdf", "--cards", minimal, "--section", "apis", "-o", plain).exit_code == 0
    add_diagram_card(minimal)
    drawn = tmp_path / "drawn.pdf"
    assert run("pdf", "--cards", minimal, "--section", "apis", "-o", drawn).exit_code == 0
    with pdfplumber.open(plain) as before, pdfplumber.open(drawn) as after:
        assert sum(len(p.curves) for p in before.pages) == 0
        # The card's back page (each front page is followed by its back) holds the drawing.
        assert [len(p.curves) >= 2 for p in after.pages] == [False, True]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("digraph { a -> }", "syntax error"),
        ('digraph { a [image="/etc/passwd"] }', "attribute 'image' is not allowed"),
    ],
)
def test_a_broken_or_unsafe_diagram_stops_the_build_at_its_line(minimal: Path, tmp_path: Path, source: str, message: str) -> None:
    line = add_diagram_card(minimal, source)
    result = run("build", "--cards", minimal, "-o", tmp_path / "deck.apkg")
    assert result.exit_code == 1
    assert f"apis/status.md:{line}: diagram of 'cache-aside-read' cannot be drawn:" in result.output
    assert message in result.output
    assert not (tmp_path / "deck.apkg").exists()


def test_builds_with_diagrams_are_byte_identical_and_the_cache_is_only_a_cache(minimal: Path, tmp_path: Path, own_cache: Path) -> None:
    add_diagram_card(minimal)
    first = build(minimal, tmp_path / "a.apkg").read_bytes()
    for cached in own_cache.iterdir():
        cached.unlink()
    second = build(minimal, tmp_path / "b.apkg").read_bytes()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


def test_without_graphviz_the_error_names_the_package(minimal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_diagram_card(minimal)
    monkeypatch.setattr(diagrams.shutil, "which", lambda name: None)
    result = run("build", "--cards", minimal, "-o", tmp_path / "deck.apkg")
    assert result.exit_code == 1
    assert "install the Debian package graphviz" in result.output


def test_label_text_that_reads_like_an_attribute_is_only_text(minimal: Path, tmp_path: Path) -> None:
    add_diagram_card(minimal, 'digraph { a -> b [label="url = /x"] }')
    assert run("build", "--cards", minimal, "-o", tmp_path / "deck.apkg").exit_code == 0


def test_an_html_label_image_is_refused_too(minimal: Path, tmp_path: Path) -> None:
    add_diagram_card(minimal, 'digraph { a [label=<<IMG SRC="/etc/passwd"/>>] }')
    result = run("build", "--cards", minimal, "-o", tmp_path / "deck.apkg")
    assert result.exit_code == 1 and "attribute 'SRC' is not allowed" in result.output
    assert diagrams.UNSAFE.search(diagrams.QUOTED.sub('""', '<IMG SRC="/etc/passwd"/>'))
    assert not (tmp_path / "deck.apkg").exists()


def drawing(cache: Path) -> tuple[Path, Path]:
    """The one drawing in `cache`, and its check file."""
    [svg] = cache.glob("*.svg")
    return svg, svg.with_name(f"{svg.name}.check")


@pytest.mark.parametrize("damage", ["truncated", "edited", "check garbled", "check gone"])
def test_a_damaged_drawing_is_drawn_again(minimal: Path, tmp_path: Path, own_cache: Path, damage: str) -> None:
    add_diagram_card(minimal)
    first = build(minimal, tmp_path / "a.apkg").read_bytes()
    svg, check = drawing(own_cache)
    picture, checked = svg.read_bytes(), check.read_bytes()
    if damage == "truncated":
        svg.write_bytes(picture[: len(picture) // 2])
    elif damage == "edited":
        svg.write_bytes(picture.replace(b"cache", b"cachE"))
    elif damage == "check garbled":
        check.write_bytes(b"\xff\x00")
    else:
        check.unlink()
    assert build(minimal, tmp_path / "b.apkg").read_bytes() == first
    assert (svg.read_bytes(), check.read_bytes()) == (picture, checked)


def test_another_graphviz_draws_anew_even_for_a_build_the_cache_kept(minimal: Path, tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_diagram_card(minimal)
    first = build(minimal, tmp_path / "a.apkg").read_bytes()
    monkeypatch.setattr(diagrams, "_graphviz_version", lambda dot: "dot - graphviz version 99.0.0 (0)")
    # The same command line, which the build cache answers while the same Graphviz is installed.
    assert build(minimal, tmp_path / "a.apkg").read_bytes() == first
    svg, check = drawing(own_cache)
    assert check.read_text().startswith("dot - graphviz version 99.0.0 (0) ")


def test_without_graphviz_drawings_that_match_their_check_are_used(minimal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_diagram_card(minimal)
    first = build(minimal, tmp_path / "a.apkg").read_bytes()
    monkeypatch.setattr(diagrams.shutil, "which", lambda name: None)
    assert build(minimal, tmp_path / "b.apkg").read_bytes() == first


def test_a_build_kept_without_graphviz_is_not_reused_once_another_graphviz_is_installed(minimal: Path, tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_diagram_card(minimal)
    first = build(minimal, tmp_path / "a.apkg").read_bytes()
    with monkeypatch.context() as without_graphviz:
        without_graphviz.setattr(diagrams.shutil, "which", lambda name: None)
        assert build(minimal, tmp_path / "a.apkg").read_bytes() == first
    monkeypatch.setattr(diagrams, "_graphviz_version", lambda dot: "dot - graphviz version 99.0.0 (0)")
    assert build(minimal, tmp_path / "a.apkg").read_bytes() == first
    svg, check = drawing(own_cache)
    assert check.read_text().startswith("dot - graphviz version 99.0.0 (0) ")


def test_a_drawing_by_a_graphviz_that_warns_is_drawn_once(minimal: Path, tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`dot -V` may print a warning on a line of its own: the check file still names the drawer
    on its one line, and the drawing is used as drawn."""
    warning = tmp_path / "bin" / "dot"
    warning.parent.mkdir()
    warning.write_text(f'#!/bin/sh\n[ "$1" = -V ] && echo "Warning: no fonts.conf" >&2\nexec {shutil.which("dot")} "$@"\n')
    warning.chmod(0o755)
    monkeypatch.setenv("PATH", f"{warning.parent}:{os.environ['PATH']}")
    add_diagram_card(minimal)
    build(minimal, tmp_path / "a.apkg")
    svg, check = drawing(own_cache)
    drawn = svg.stat().st_ino
    assert check.read_text().startswith("Warning: no fonts.conf dot - graphviz version ")
    assert diagrams.draw(DIAGRAM + "\n") == svg and svg.stat().st_ino == drawn


def test_a_diagram_cache_that_cannot_be_written_is_a_one_line_error(minimal: Path, tmp_path: Path, own_cache: Path) -> None:
    add_diagram_card(minimal)
    own_cache.write_text("a file where the folder goes")
    result = run("build", "--cards", minimal, "-o", tmp_path / "deck.apkg")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "make the checkout's .cache/diagrams a writable folder, or delete it" in result.output
    assert not (tmp_path / "deck.apkg").exists()
