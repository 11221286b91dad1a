"""The build cache: a warm build writes the bytes a cold one does, a damaged entry is rebuilt,
and a change to what an entry depends on invalidates it, and nothing else."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from builder import PROJECT_ROOT, build as build_module, cache, cards as cards_module, deck as deck_module, render

from .conftest import build as build_in_this_process, run

CARDS_IN_MINIMAL = 6
#: The cards of the minimal deck's apis folder, in order.
APIS_CARDS = ["status-401", "status-403"]


def build(cards: Path, output: Path) -> Path:
    """A build as a new process runs it: without the HTML an earlier build left in memory."""
    deck_module._rendered_cards.cache_clear()
    return build_in_this_process(cards, output)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded_calls(monkeypatch: pytest.MonkeyPatch, module: object, name: str, record: Callable[..., object]) -> list:
    """What `record` makes of the arguments of each call of `module.name` from now on, in order."""
    calls: list = []
    original = getattr(module, name)

    def recording(*args):
        calls.append(record(*args))
        return original(*args)

    monkeypatch.setattr(module, name, recording)
    return calls


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the cards rendered from Markdown (not taken from the cache), in order."""
    return recorded_calls(monkeypatch, render, "render_card", lambda card, media_dir: card.id)


@pytest.fixture
def packages(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The outputs of the builds that made their package (that the cache did not answer)."""
    return recorded_calls(monkeypatch, build_module, "_package_files", lambda opts: opts.output)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the card files parsed (not taken from the cache), in order."""
    return recorded_calls(monkeypatch, cards_module, "parse_card_file", lambda path, text: path.name)


def render_files(cards: Path) -> list[Path]:
    return sorted((cache.cache_root(cards) / "render").rglob("*.json"))


def damage_entry(path: Path, damage: str) -> None:
    text = path.read_text()
    if damage == "garbage":
        path.write_bytes(b"\x00\xff not json")
    elif damage == "truncated":
        path.write_text(text[: len(text) // 2])
    else:
        path.write_text(text.replace("Unauthorized", "Authorised"))


def test_a_warm_build_writes_the_bytes_of_a_cold_one(minimal: Path, tmp_path: Path, renders: list[str], packages: list[Path]) -> None:
    cold = sha256(build(minimal, tmp_path / "cold.apkg"))
    assert len(renders) == CARDS_IN_MINIMAL and render_files(minimal)
    # Another output: the package is made again, from the cached HTML.
    assert sha256(build(minimal, tmp_path / "warm.apkg")) == cold
    assert len(renders) == CARDS_IN_MINIMAL and len(packages) == 2
    # The same command line again: the kept files are written as they are.
    (tmp_path / "warm.apkg").unlink()
    assert sha256(build(minimal, tmp_path / "warm.apkg")) == cold
    assert len(packages) == 2


def test_kept_files_go_where_the_command_line_names_them_from_any_folder(minimal: Path, tmp_path: Path, packages: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "dist").mkdir()
    monkeypatch.chdir(tmp_path)
    build(minimal, Path("dist/deck.apkg"))
    notes = tmp_path / "dist" / build_module.RELEASE_NOTES_FILE
    notes.unlink()
    monkeypatch.chdir(tmp_path / "dist")
    build(minimal, Path("deck.apkg"))
    assert len(packages) == 1 and notes.exists()
    assert not (tmp_path / "dist" / "dist").exists()


def test_an_edited_card_alone_is_rendered_again(minimal: Path, tmp_path: Path, renders: list[str], packages: list[Path]) -> None:
    output = build(minimal, tmp_path / "deck.apkg")
    before = sha256(output)
    status = minimal / "apis" / "status.md"
    status.write_text(status.read_text().replace("**401 Unauthorized**", "**401 Unauthorized** (sic)"))
    renders.clear()
    edited = sha256(build(minimal, output))
    assert renders == ["status-401"] and packages == [output, output] and edited != before
    shutil.rmtree(cache.cache_root(minimal))
    assert sha256(build(minimal, output)) == edited


@pytest.mark.parametrize("damage", ["garbage", "truncated", "edited"])
def test_a_damaged_render_entry_is_rebuilt(minimal: Path, tmp_path: Path, renders: list[str], damage: str) -> None:
    cold = sha256(build(minimal, tmp_path / "cold.apkg"))
    [damaged] = [path for path in render_files(minimal) if path.parent.name == "apis"]
    text = damaged.read_text()
    damage_entry(damaged, damage)
    renders.clear()
    assert sha256(build(minimal, tmp_path / "warm.apkg")) == cold
    # The file holds the entries of the cards of one folder: they are rendered again.
    assert renders == APIS_CARDS
    assert damaged.read_text() == text


def test_an_edited_file_alone_is_parsed_again_into_the_cards_a_parse_gives(minimal: Path, tmp_path: Path, parses: list[str]) -> None:
    build(minimal, tmp_path / "deck.apkg")
    assert sorted(parses) == ["indexes.md", "isolation.md", "status.md"]
    status = minimal / "apis" / "status.md"
    status.write_text(status.read_text().replace("**401 Unauthorized**", "**401 Unauthorized** (sic)"))
    parses.clear()
    kept = cards_module.load_cards(minimal)
    assert parses == ["status.md"]
    shutil.rmtree(cache.cache_root(minimal))
    assert cards_module.load_cards(minimal) == kept


@pytest.mark.parametrize("damage", ["garbage", "truncated", "edited"])
def test_a_damaged_card_entry_is_parsed_again(minimal: Path, tmp_path: Path, parses: list[str], damage: str) -> None:
    cold = sha256(build(minimal, tmp_path / "cold.apkg"))
    damaged = cache.cache_root(minimal) / "cards" / minimal.name / "apis" / cards_module.CARDS_SHARD
    text = damaged.read_text()
    damage_entry(damaged, damage)
    parses.clear()
    assert sha256(build(minimal, tmp_path / "warm.apkg")) == cold
    assert parses == ["status.md"]
    assert damaged.read_text() == text


def test_a_file_that_does_not_parse_is_reported_on_every_run(minimal: Path, tmp_path: Path, parses: list[str]) -> None:
    build(minimal, tmp_path / "deck.apkg")
    status = minimal / "apis" / "status.md"
    status.write_text(status.read_text().replace("<!-- id: status-401", "<!-- id: status-401; colour: red", 1))
    first, second = (run("build", "--cards", minimal, "-o", tmp_path / "deck.apkg") for _ in range(2))
    assert first.exit_code == second.exit_code == 1
    assert "unknown metadata key 'colour'" in first.output and second.output == first.output
    assert parses.count("status.md") == 3


@pytest.mark.parametrize("damage", ["garbage record", "truncated package", "edited package"])
def test_a_damaged_kept_build_is_rebuilt(minimal: Path, tmp_path: Path, packages: list[Path], damage: str) -> None:
    output = build(minimal, tmp_path / "deck.apkg")
    cold = sha256(output)
    [kept] = (cache.cache_root(minimal) / "builds").iterdir()
    package = kept / "0"
    if damage == "garbage record":
        (kept / cache.BUILD_RECORD).write_bytes(b"\x00\xff not json")
    elif damage == "truncated package":
        package.write_bytes(package.read_bytes()[:1000])
    else:
        data = bytearray(package.read_bytes())
        data[len(data) // 2] ^= 0xFF
        package.write_bytes(bytes(data))
    assert sha256(build(minimal, output)) == cold
    assert packages == [output, output]
    assert sha256(package) == cold


def test_a_changed_template_makes_the_package_again_but_keeps_the_html(minimal: Path, tmp_path: Path, renders: list[str], packages: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    templates = Path(shutil.copytree(cache.TEMPLATES_DIR, tmp_path / "templates"))
    monkeypatch.setattr(cache, "TEMPLATES_DIR", templates)
    output = build(minimal, tmp_path / "deck.apkg")
    build(minimal, output)
    assert packages == [output]
    css = templates / "anki" / "card.css.j2"
    css.write_text(css.read_text() + "\n")
    renders.clear()
    build(minimal, output)
    assert packages == [output, output] and renders == []


@pytest.mark.parametrize(("library", "renders_again"), [*((name, True) for name in render.RENDER_LIBRARIES), ("genanki", False), ("jinja2", False)])
def test_a_new_library_version_invalidates_what_it_makes(
    minimal: Path, tmp_path: Path, renders: list[str], packages: list[Path], monkeypatch: pytest.MonkeyPatch, library: str, renders_again: bool
) -> None:
    output = build(minimal, tmp_path / "deck.apkg")
    original = cache.version
    monkeypatch.setattr(cache, "version", lambda name: "999" if name == library else original(name))
    cache.code_key.cache_clear()
    renders.clear()
    try:
        build(minimal, output)
    finally:
        cache.code_key.cache_clear()
    assert packages == [output, output]
    assert len(renders) == (CARDS_IN_MINIMAL if renders_again else 0)


def test_lint_takes_the_html_from_the_cache(minimal: Path, tmp_path: Path, renders: list[str]) -> None:
    build(minimal, tmp_path / "deck.apkg")
    renders.clear()
    deck_module._rendered_cards.cache_clear()
    assert run("lint", "--cards", minimal).exit_code == 0
    assert renders == []


def test_a_cache_that_cannot_be_written_only_slows_the_build(minimal: Path, tmp_path: Path) -> None:
    expected = sha256(build(minimal, tmp_path / "first.apkg"))
    shutil.rmtree(cache.cache_root(minimal))
    cache.cache_root(minimal).write_text("a file where the cache folder would be")
    assert sha256(build(minimal, tmp_path / "second.apkg")) == expected


def test_a_process_keeps_the_html_of_its_latest_deck_alone(minimal: Path, tmp_path: Path) -> None:
    """A watch renders a new deck at every save: what it keeps in memory must not grow with them."""
    deck_module._rendered_cards.cache_clear()
    status = minimal / "apis" / "status.md"
    text = status.read_text()
    for edit in range(3):
        status.write_text(text.replace("**401 Unauthorized**", f"**401 Unauthorized** ({edit})"))
        build_in_this_process(minimal, tmp_path / "deck.apkg")
    kept = deck_module._rendered_cards.cache_info()
    assert (kept.misses, kept.currsize) == (3, 1)
    # The one kept is the latest deck's: a lint of it takes its HTML from memory.
    assert run("lint", "--cards", minimal).exit_code == 0
    assert deck_module._rendered_cards.cache_info().misses == 3


def test_the_builds_kept_are_those_of_the_command_lines_last_run(minimal: Path, tmp_path: Path, packages: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "KEPT_BUILDS", 2)
    first, second, third = (tmp_path / f"{name}.apkg" for name in ("first", "second", "third"))
    for output in (first, second, first, third):
        build(minimal, output)
    # The first was used again after the second was kept: the second's is the one dropped.
    assert packages == [first, second, third]
    assert len(list((cache.cache_root(minimal) / "builds").iterdir())) == 2
    for output in (first, third, second):
        build(minimal, output)
    assert packages == [first, second, third, second]


def test_a_process_sees_a_media_file_deleted_since_it_rendered(minimal: Path, tmp_path: Path) -> None:
    """A watch keeps the latest deck's HTML: deleting the image its cards show must still fail."""
    deck_module._rendered_cards.cache_clear()
    build_in_this_process(minimal, tmp_path / "deck.apkg")
    (minimal / "media" / "tree.png").unlink()
    result = run("build", "--cards", minimal, "-o", tmp_path / "deck.apkg")
    assert result.exit_code == 1
    assert "databases/indexes.md:19:" in result.output and "tree.png" in result.output


def test_a_media_file_made_a_link_out_of_the_media_folder_is_not_taken_from_the_cache(minimal: Path, tmp_path: Path) -> None:
    """A cold build refuses an image that leads out of the media folder: so must a warm one."""
    build(minimal, tmp_path / "deck.apkg")
    outside = tmp_path / "secret.txt"
    outside.write_text("not for the package")
    (minimal / "media" / "tree.png").unlink()
    (minimal / "media" / "tree.png").symlink_to(outside)
    deck_module._rendered_cards.cache_clear()
    result = run("build", "--cards", minimal, "-o", tmp_path / "deck.apkg")
    assert result.exit_code == 1, result.output
    assert "databases/indexes.md:19: image '../media/tree.png' not found" in result.output


def test_a_process_sees_a_media_file_replaced_by_a_link_out_of_the_media_folder(minimal: Path, tmp_path: Path) -> None:
    """The HTML a watch keeps must not let a swapped image carry an outside file into the package."""
    deck_module._rendered_cards.cache_clear()
    build_in_this_process(minimal, tmp_path / "deck.apkg")
    outside = tmp_path / "secret.txt"
    outside.write_text("outside secret\n")
    tree = minimal / "media" / "tree.png"
    tree.unlink()
    tree.symlink_to(outside)
    result = run("build", "--cards", minimal, "-o", tmp_path / "deck.apkg")
    assert result.exit_code == 1
    assert "databases/indexes.md:19:" in result.output


#: A new process's build, reporting afterwards which of the modules a cold build needs it imported.
MODULES_IMPORTED = """
import sys
from builder.__main__ import cli
cli.main(sys.argv[1:], standalone_mode=False)
stages = ("builder.cards", "builder.deck", "builder.render", "yaml", "cmarkgfm", "nh3", "pygments", "jinja2", "genanki")
print(" ".join(name for name in stages if name in sys.modules))
"""


def test_a_build_the_cache_answers_imports_none_of_the_stages(minimal: Path, tmp_path: Path) -> None:
    def imported() -> str:
        command = [sys.executable, "-c", MODULES_IMPORTED, "build", "--cards", minimal, "-o", tmp_path / "deck.apkg"]
        # From the checkout's root, so that the new process imports this checkout's builder, as
        # this one does, rather than an installed copy from another.
        result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
        return result.stdout.splitlines()[-1]

    assert imported() == "builder.cards builder.deck builder.render yaml cmarkgfm nh3 pygments jinja2 genanki"
    assert imported() == ""
