"""The corpus of malformed, hostile and odd inputs: each gives its exact one-line
`file:line: what — hint`, exit code 1, no traceback, and leaves the previous output and the note
history byte for byte as they were."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import run

STATUS = "apis/status.md"
ISOLATION = "databases/isolation.md"
INDEXES = "databases/indexes.md"
SYLLABUS = "syllabus.yaml"
HISTORY = "note-history.json"
HEADER = "---\nsection: apis\ntopic: status-codes\nlevel: junior\n---\n\n"
CLOZE_HINT = "write each deletion as {{c1::text}} or {{c1::text::hint}}, numbered from 1"
SYLLABUS_HINT = "see the entries above and below it"

Mutation = Callable[[Path], None]


def replace(path: str, old: str, new: str) -> Mutation:
    def mutate(cards: Path) -> None:
        target = cards / path
        text = target.read_text()
        assert old in text, old
        target.write_text(text.replace(old, new, 1))

    return mutate


def add_file(path: str, text: str | bytes) -> Mutation:
    def mutate(cards: Path) -> None:
        target = cards / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text if isinstance(text, bytes) else text.encode())

    return mutate


def swap(path: str, make: Callable[[Path], None]) -> Mutation:
    """Put something else (a folder, a link, a pipe) where the file `path` was."""

    def mutate(cards: Path) -> None:
        target = cards / path
        if target.exists():
            target.unlink()
        make(target)

    return mutate


#: case → (mutation, the exact error line, paths relative to the card folder).
CASES: dict[str, tuple[Mutation, str]] = {
    # The loader's own errors.
    "broken front matter": (replace(STATUS, "topic: status-codes", "topic: [status"), "apis/status.md:3: broken front matter: did not find expected ',' or ']' — fix the YAML syntax (quote values containing ': ')"),
    "missing front matter": (replace(STATUS, "---\nsection", "section"), "apis/status.md:1: missing YAML front matter — start the file with '---', then 'section: …' and 'topic: …' lines, then '---'"),
    "front matter never closed": (add_file("apis/open.md", "---\nsection: apis\n\n## Q?\n"), "apis/open.md:1: front matter is never closed — add a '---' line after it"),
    "front matter not a mapping": (add_file("apis/list.md", "---\n- section\n---\n\n## Q?\n"), "apis/list.md:2: front matter is not a mapping of keys to values — start the file with '---', then 'section: …' and 'topic: …' lines, then '---'"),
    "front matter value of the wrong type": (replace(STATUS, "level: junior", "level: [junior, mid]"), "apis/status.md:4: front matter 'level' is a list, not a single word — write it as 'key: value'"),
    "unknown front matter key": (replace(STATUS, "level: junior", "level: junior\ncolour: red"), "apis/status.md:5: unknown front matter key 'colour' — use only: section, topic, level, tags"),
    "a YAML tag that runs code": (replace(STATUS, "level: junior", "level: !!python/object/apply:os.system [ls]"), "apis/status.md:4: broken YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system' — write plain values: no !!tags"),
    "text before the first card": (replace(STATUS, "## Which status code answers", "stray words\n\n## Which status code answers"), "apis/status.md:7: text before the first card — start each card with a '## ' heading"),
    "a file with no card": (add_file("apis/empty.md", HEADER), "apis/empty.md:6: the file holds no card — add a '## Question' heading with its answer"),
    "card without id": (replace(STATUS, "<!-- id: status-401; ", "<!-- "), "apis/status.md:8: card 'Which status code answers a request that lacks va…' has no id — add <!-- id: some-slug --> under the heading, or run 'backend-cards ids'"),
    "duplicate id": (
        add_file("apis/more.md", HEADER + "## Which code means gone?\n<!-- id: status-401 -->\n\n410.\n"),
        "apis/status.md:8: duplicate id 'status-401' (also at apis/more.md:8) — ids must be unique across the whole deck: rename one",
    ),
    "bad id": (replace(STATUS, "id: status-403", "id: Status_403"), "apis/status.md:13: id 'Status_403' is not lowercase kebab-case — use letters a-z, digits and single hyphens, e.g. 'tcp-three-way-handshake'"),
    "unknown section": (replace(STATUS, "section: apis", "section: frontend"), "apis/status.md:2: unknown section 'frontend' — expected one of: databases, apis"),
    "unknown topic": (replace(STATUS, "topic: status-codes", "topic: teapots"), "apis/status.md:3: unknown topic 'teapots' — use a topic id from cards/syllabus.yaml, or add the topic there"),
    "topic of another section": (replace(STATUS, "topic: status-codes", "topic: indexes"), "apis/status.md:3: topic 'indexes' belongs to section 'databases', not 'apis' — move the card or fix its section"),
    "unknown level": (replace(STATUS, "level: principal", "level: expert"), "apis/status.md:13: unknown level 'expert' — expected one of: junior, mid, senior, staff, principal"),
    "unknown card type": (replace(STATUS, "<!-- id: status-403;", "<!-- id: status-403; type: essay;"), "apis/status.md:13: unknown card type 'essay' — expected one of: basic, cloze"),
    "empty answer": (replace(STATUS, "**403 Forbidden**: re-authenticating will not help.", ""), "apis/status.md:12: card 'status-403' has an empty answer — write the answer under the heading"),
    "unknown metadata key": (replace(STATUS, "<!-- id: status-403;", "<!-- id: status-403; colour: red;"), "apis/status.md:13: unknown metadata key 'colour' — use only: id, level, tags, type, ref, topic"),
    "metadata item without value": (replace(STATUS, "<!-- id: status-403;", "<!-- id: status-403; level;"), "apis/status.md:13: metadata item 'level' has no value — write items as 'key: value', separated by ';'"),
    "metadata key twice": (replace(STATUS, "<!-- id: status-403;", "<!-- id: status-403; id: other;"), "apis/status.md:13: metadata key 'id' given twice — keep one"),
    "unclosed metadata comment": (replace(STATUS, "ref: RFC 9110 §15.5.4 -->", "ref: RFC 9110"), "apis/status.md:13: metadata comment is not closed on its line — write it as <!-- id: …; level: … --> on one line"),
    "tag with a space": (replace(STATUS, "<!-- id: status-403;", "<!-- id: status-403; tags: [a b];"), "apis/status.md:13: tag '[a' is not a single word — use letters, digits, '-', '.', '+', '#' or '::' only"),
    "a release tag by hand": (replace(STATUS, "<!-- id: status-403;", "<!-- id: status-403; tags: changed::0.1.0;"), "apis/status.md:13: tag 'changed::0.1.0' is reserved — section, level, topic and release tags are added by the build"),
    "missing image": (replace(INDEXES, "../media/tree.png", "../media/forest.png"), "databases/indexes.md:19: image '../media/forest.png' not found in media — put the file in the media folder and refer to it by a relative path"),
    # Cards lost or broken without a word.
    "empty heading": (replace(STATUS, "## Which status code refuses an authenticated client that lacks permission?", "##"), "apis/status.md:12: card has an empty question — write the question after '## '"),
    "cloze never closed": (replace(ISOLATION, "{{c1::snapshot isolation}}", "{{c1::snapshot isolation"), "databases/isolation.md:15: cloze deletion '{{c1::snapshot isola…' is never closed with }} — " + CLOZE_HINT),
    "cloze numbered 0": (replace(ISOLATION, "{{c1::snapshot isolation}}", "{{c0::snapshot isolation}}"), "databases/isolation.md:15: cloze deletion '{{c0::snapshot isolation}}' is numbered 0 — " + CLOZE_HINT),
    "cloze numbered past any card": (replace(ISOLATION, "{{c1::snapshot isolation}}", "{{c99999999999999999999::snapshot isolation}}"), "databases/isolation.md:15: cloze deletion '{{c99999999999999999999::snapshot isolation}}' is numbered above 100 — " + CLOZE_HINT),
    "empty cloze": (replace(ISOLATION, "{{c1::snapshot isolation}}", "{{c1::}}"), "databases/isolation.md:15: cloze deletion '{{c1::}}' hides nothing — " + CLOZE_HINT),
    "nested cloze": (replace(ISOLATION, "{{c1::snapshot isolation}}", "{{c1::snapshot {{c2::isolation}}}}"), "databases/isolation.md:15: cloze deletion '{{c1::snapshot {{c2::isolation}}' holds another deletion — " + CLOZE_HINT),
    "cloze without deletion": (replace(ISOLATION, "{{c1::snapshot isolation}}", "snapshot isolation"), "databases/isolation.md:16: cloze card has no deletion — mark the hidden text as {{c1::text}} in the heading"),
    "cloze markup in a basic card": (replace(STATUS, "lacks permission?", "lacks {{c1::permission}}?\n<!-- type: basic -->"), "apis/status.md:13: basic card contains a cloze deletion — set 'type: cloze' or remove the {{c1::…}} markup"),
    "a fence never closed swallows no card": (replace(STATUS, "**401 Unauthorized**", "```python\n**401 Unauthorized**"), "apis/status.md:10: code fence ``` is never closed — close it with a line of exactly ```"),
    "a fence with more than a language": (replace(INDEXES, "```sql", "```sql title=query"), "databases/indexes.md:12: code fence ```sql title=query has more than a language after it — write only the language, such as ```python"),
    "a question too long to render quickly": (replace(STATUS, "lacks permission?", "lacks permission" + " [x" * 3000 + "?"), "apis/status.md:12: the question has 9,072 characters, more than 500 — ask it in fewer words, and put code or detail below a '---' line"),
    "a card too long": (replace(STATUS, "re-authenticating will not help.", "word " * 1000), "apis/status.md:12: the card has 5,158 characters, more than 4,000 — split it into several cards"),
    "an image as a reference link": (replace(INDEXES, "![B+ tree](../media/tree.png)", "![B+ tree][tree]\n\n[tree]: ../media/forest.png"), "databases/indexes.md:21: image '../media/forest.png' not found in media — put the file in the media folder and refer to it by a relative path"),
    "an image in unquoted HTML": (replace(INDEXES, "![B+ tree](../media/tree.png)", "<img src=../media/forest.png alt=tree>"), "databases/indexes.md:19: image '../media/forest.png' not found in media — put the file in the media folder and refer to it by a relative path"),
    "two media files of one name": (
        lambda cards: (add_file("media/old/tree.png", (cards / "media" / "tree.png").read_bytes())(cards), replace(STATUS, "will not help.", "will not help.\n\n![Old tree](../media/old/tree.png)")(cards)),
        "databases/indexes.md:19: image 'media/tree.png' has the file name of 'media/old/tree.png' — Anki keeps media by file name alone: rename one of them",
    ),
    "a list nested too deep to parse": (replace(STATUS, "re-authenticating will not help.", "will not help.\n\n" + "- " * 600 + "x"), "apis/status.md:17: a line nests lists or quotes more than 10 levels deep — flatten the list, or split the card"),
    "an image by a file: URL": (replace(INDEXES, "../media/tree.png", "file:///etc/passwd"), "databases/indexes.md:19: image 'file:///etc/passwd' not found in media — put the file in the media folder and refer to it by a relative path"),
    "a data: image in HTML": (replace(INDEXES, "![B+ tree](../media/tree.png)", '<img src="data:image/png;base64,AAAA" alt="tree">'), "databases/indexes.md:19: image 'data:image/png;base64,AAAA' not found in media — put the file in the media folder and refer to it by a relative path"),
    "an image path with a NUL byte": (replace(INDEXES, "../media/tree.png", "%00"), "databases/indexes.md:19: image '%00' not found in media — put the file in the media folder and refer to it by a relative path"),
    "an image that is a link loop": (
        lambda cards: (swap("media/loop.png", lambda p: p.symlink_to(p))(cards), replace(INDEXES, "../media/tree.png", "../media/loop.png")(cards)),
        "databases/indexes.md:19: image '../media/loop.png' not found in media — put the file in the media folder and refer to it by a relative path",
    ),
    "a line break in a quoted key": (add_file("apis/key.md", '---\n"key\\nwith": 1\nsection: apis\ntopic: status-codes\nlevel: junior\n---\n\n## Q?\n<!-- id: q -->\n\nA.\n'), "apis/key.md:2: unknown front matter key 'key\\nwith' — use only: section, topic, level, tags"),
    # Injection.
    "field separator in an answer": (replace(STATUS, "re-authenticating will not help.", "re-authenticating\x1f will not help."), "apis/status.md:15: card 'status-403' contains the control character U+001F — delete it: Anki would read U+001F as the end of a field"),
    # Files that are not card files.
    "not UTF-8": (add_file("apis/latin.md", HEADER.encode() + "## Caf\xe9?\n".encode("latin-1")), "apis/latin.md:7: is not UTF-8 (byte 0xe9) — save the file as UTF-8"),
    "a folder named like a card file": (swap("apis/folder.md", lambda p: p.mkdir()), "apis/folder.md:1: is a folder, not a file — replace it with a text file, or remove it"),
    "a dangling link": (swap("apis/gone.md", lambda p: p.symlink_to(p.parent / "nowhere.md")), "apis/gone.md:1: file not found — remove the dangling link or restore its target"),
    "a link loop": (swap("apis/loop.md", lambda p: p.symlink_to(p)), "apis/loop.md:1: cannot be read: Too many levels of symbolic links — check the path and its links"),
    "a named pipe": (swap("apis/pipe.md", lambda p: os.mkfifo(p)), "apis/pipe.md:1: is a named pipe, not a file — replace it with a text file, or remove it"),
    "a file over the size limit": (add_file("apis/huge.md", HEADER + "x" * 1_000_001), "apis/huge.md:1: is 1,000,058 bytes, more than the limit of 1,000,000 — split it into several files"),
    # YAML that expands or nests without bound.
    "an alias bomb in front matter": (
        replace(STATUS, "level: junior", 'level: junior\ntags: &a ["x", "x"]\nb: &b [*a, *a]\nc: [*b, *b]'),
        "apis/status.md:5: YAML anchors and aliases (&name, *name) are not allowed — write the value out in full",
    ),
    "deeply nested front matter": (replace(STATUS, "level: junior", "level: junior\ntags: " + "[" * 50 + "]" * 50), "apis/status.md:5: YAML nests deeper than 10 levels — flatten the lists and mappings"),
    # The syllabus.
    "syllabus missing": (swap(SYLLABUS, lambda p: None), "syllabus.yaml:1: no syllabus found — every card folder needs a syllabus.yaml"),
    "syllabus is a folder": (swap(SYLLABUS, lambda p: p.mkdir()), "syllabus.yaml:1: is a folder, not a file — replace it with a text file, or remove it"),
    "syllabus not YAML": (replace(SYLLABUS, "title: Indexes", "title: [Indexes"), "syllabus.yaml:10: broken syllabus: did not find expected ',' or ']' — fix the YAML syntax (quote values containing ': ')"),
    "syllabus empty": (swap(SYLLABUS, lambda p: p.write_text("")), "syllabus.yaml:1: the syllabus is empty — list the sections under 'sections:'"),
    "syllabus without sections": (swap(SYLLABUS, lambda p: p.write_text("chapters: []\n")), "syllabus.yaml:1: the syllabus has no 'sections' — " + SYLLABUS_HINT),
    "syllabus entry of the wrong type": (replace(SYLLABUS, "        title: Indexes", "        title: [Indexes]"), "syllabus.yaml:10: 'title' of topic entry at line 9 is not a single value — " + SYLLABUS_HINT),
    "syllabus entry without title": (replace(SYLLABUS, "        title: Indexes\n", ""), "syllabus.yaml:9: topic entry at line 9 has no 'title' — " + SYLLABUS_HINT),
    "syllabus entry not a mapping": (replace(SYLLABUS, "      - id: unused-topic\n        title: A topic without cards\n        level: senior", "      - unused-topic"), "syllabus.yaml:19: topic entry at line 19 is not a mapping of keys to values — " + SYLLABUS_HINT),
    "syllabus topic id with a space": (replace(SYLLABUS, "id: unused-topic", "id: unused topic"), "syllabus.yaml:19: id 'unused topic' of topic entry at line 19 is not lowercase kebab-case — use letters a-z, digits and single hyphens: ids become Anki tags"),
    "syllabus level unknown": (replace(SYLLABUS, "        level: senior", "        level: guru"), "syllabus.yaml:19: topic 'unused-topic' has unknown level 'guru' — expected one of: junior, mid, senior, staff, principal"),
    "syllabus unknown key": (replace(SYLLABUS, "        level: senior", "        level: senior\n        colour: red"), "syllabus.yaml:22: unknown key 'colour' in topic entry at line 19 — use only: id, title, level, group, source"),
    "syllabus id twice": (replace(SYLLABUS, "id: unused-topic", "id: indexes"), "syllabus.yaml:19: topic id 'indexes' appears twice (also at line 9) — ids and deck names must be unique"),
    "syllabus alias bomb": (replace(SYLLABUS, "sections:", "bomb: &a [x, x]\nmore: [*a, *a]\nsections:"), "syllabus.yaml:1: YAML anchors and aliases (&name, *name) are not allowed — write the value out in full"),
    # The note history.
    "history not JSON": (swap(HISTORY, lambda p: p.write_text('{\n  "status-401": {"digest": "ab"\n')), "note-history.json:3: the note history is not valid JSON: Expecting ',' delimiter — restore it from version control (git checkout -- cards/note-history.json)"),
    "history entry hand-edited": (
        swap(HISTORY, lambda p: p.write_text('{\n  "a": {"digest": "x", "time": 1},\n  "status-401": {"digest": "ab", "time": "soon"}\n}\n')),
        "note-history.json:3: note history entry 'status-401' is malformed: its time is not a whole number — restore it from version control (git checkout -- cards/note-history.json)",
    ),
    "history not a mapping": (swap(HISTORY, lambda p: p.write_text("[]\n")), "note-history.json:1: the note history is not a mapping of note ids to entries — restore it from version control (git checkout -- cards/note-history.json)"),
}


@pytest.fixture
def built(minimal: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The fixture deck after one good build: (card folder, package), with its history."""
    dist = tmp_path / "dist"
    result = run("build", "--cards", minimal, "-o", dist / "backend-interview.apkg")
    assert result.exit_code == 0, result.output
    return minimal, dist / "backend-interview.apkg"


def _snapshot(cards: Path, dist: Path) -> dict[str, bytes]:
    files = {f"dist/{p.name}": p.read_bytes() for p in dist.iterdir()}
    history = cards / HISTORY
    if history.is_file():
        files[HISTORY] = history.read_bytes()
    return files


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
@pytest.mark.parametrize("command", ["build", "lint"])
def test_malformed_input_fails_cleanly(case: str, command: str, built: tuple[Path, Path]) -> None:
    cards, package = built
    mutate, expected = CASES[case]
    before = _snapshot(cards, package.parent)
    mutate(cards)

    args = ["--cards", cards, "-o", package] if command == "build" else ["--cards", cards]
    result = run(command, *args)

    assert result.exit_code == 1, result.output
    *located, summary = result.output.strip().splitlines()
    located = [line.replace(f"{cards}/", "") for line in located]
    assert expected.replace("{cards}", str(cards)) in located, result.output
    assert all(" — " in line for line in located), result.output
    assert summary.startswith("Error: ") and "nothing was written" in summary
    if (cards / HISTORY).is_file() and case.startswith("history"):
        before[HISTORY] = (cards / HISTORY).read_bytes()  # the broken history is the input itself
    assert _snapshot(cards, package.parent) == before


def test_a_syllabus_error_hides_no_card_error(built: tuple[Path, Path]) -> None:
    cards, _ = built
    CASES["syllabus unknown key"][0](cards)
    CASES["cloze numbered 0"][0](cards)
    result = run("lint", "--cards", cards)
    assert result.exit_code == 1
    assert "syllabus.yaml:22: unknown key 'colour'" in result.output
    assert "databases/isolation.md:15: cloze deletion '{{c0::snapshot isolation}}' is numbered 0" in result.output
    assert "Error: 2 error(s) in the cards" in result.output


def test_all_errors_of_a_run_are_reported_together(minimal: Path) -> None:
    replace(STATUS, "level: principal", "level: expert")(minimal)
    replace(ISOLATION, "{{c1::snapshot isolation}}", "snapshot isolation")(minimal)
    result = run("lint", "--cards", minimal)
    assert result.exit_code == 1
    assert "unknown level 'expert'" in result.output
    assert "cloze card has no deletion" in result.output
    assert "Error: 2 error(s) in the cards" in result.output


def test_a_fence_never_closed_swallows_no_card(minimal: Path) -> None:
    """The fence is an error, and the card after it is still read (and checked)."""
    replace(STATUS, "**401 Unauthorized**", "```\n**401 Unauthorized**")(minimal)
    replace(STATUS, "level: principal", "level: expert")(minimal)
    result = run("lint", "--cards", minimal)
    assert "apis/status.md:10: code fence ``` is never closed" in result.output
    assert "apis/status.md:14: unknown level 'expert'" in result.output


def test_a_long_pathological_heading_is_refused_quickly(minimal: Path) -> None:
    """9 KB of unclosed brackets and deletions in a heading once took minutes to lint."""
    replace(ISOLATION, "{{c1::snapshot isolation}}", "{{c1::[![<img " * 700)(minimal)
    process = subprocess.run([sys.executable, "-m", "builder", "lint", "--cards", str(minimal)], capture_output=True, text=True, timeout=60)
    assert process.returncode == 1
    assert "databases/isolation.md:15: the question has 9,8" in process.stderr


def test_real_command_prints_no_traceback(minimal: Path, tmp_path: Path) -> None:
    replace(STATUS, "section: apis", "section: frontend")(minimal)
    process = subprocess.run(
        [sys.executable, "-m", "builder", "build", "--cards", str(minimal), "-o", str(tmp_path / "out.apkg")],
        capture_output=True,
        text=True,
    )
    assert process.returncode == 1
    assert "Traceback" not in process.stderr
    assert "unknown section 'frontend' — expected one of: databases, apis" in process.stderr
    assert not (tmp_path / "out.apkg").exists()


def test_missing_card_folder_is_one_line(tmp_path: Path) -> None:
    result = run("build", "--cards", tmp_path / "nowhere")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: card folder '{tmp_path / 'nowhere'}' isn't an existing directory — pass --cards DIR"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--level", "mid", "--up-to", "senior"], "Error: --level and --up-to cannot be combined — use --level for exact levels or --up-to for junior..LEVEL"),
        (["--section", "frontend"], "Error: Invalid value for '--section': unknown section 'frontend' — expected one of: databases, apis"),
        (["--up-to", "guru"], "Error: Invalid value for '--up-to': 'guru' is not one of 'junior', 'mid', 'senior', 'staff', 'principal'."),
        (["--colour", "red"], "Error: No such option '--colour'."),
    ],
)
def test_option_misuse_exits_2_with_usage(built: tuple[Path, Path], options: list[str], message: str) -> None:
    cards, package = built
    before = _snapshot(cards, package.parent)
    result = run("build", "--cards", cards, "-o", package, *options)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Usage: ") and result.output.strip().endswith(message), result.output
    assert _snapshot(cards, package.parent) == before


def _output_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-folder.apkg").mkdir()
    return {
        "a folder": (tmp_path / "a-folder.apkg", f"Error: '{tmp_path / 'a-folder.apkg'}' is a folder — choose another -o/--output path that names a file"),
        "a path under a file": (tmp_path / "a-file" / "deck.apkg", f"Error: '{tmp_path / 'a-file'}' is a file, so '{tmp_path / 'a-file' / 'deck.apkg'}' cannot be created — choose another -o/--output path"),
    }


@pytest.mark.parametrize("case", ["a folder", "a path under a file", "inside the card folder"])
def test_an_output_that_cannot_be_written_is_refused_before_anything_is(case: str, built: tuple[Path, Path], tmp_path: Path) -> None:
    cards, package = built
    cases = _output_cases(tmp_path)
    cases["inside the card folder"] = (cards / "apis" / "status.md", f"Error: '{cards / 'apis' / 'status.md'}' is inside the card folder '{cards}' — choose another -o/--output path, such as dist/")
    target, message = cases[case]
    before = _snapshot(cards, package.parent)
    card_text = (cards / STATUS).read_bytes()
    result = run("build", "--cards", cards, "-o", target)
    assert result.exit_code == 1
    assert result.output.strip() == message
    assert _snapshot(cards, package.parent) == before and (cards / STATUS).read_bytes() == card_text


def test_a_failed_package_write_leaves_the_history_unchanged(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from builder import build, output

    cards, package = built
    replace(STATUS, "will not help.", "will never help.")(cards)
    history = (cards / HISTORY).read_bytes()

    def full_disk(path: Path, data: bytes) -> None:
        if path.suffix == ".apkg":
            raise output.UnwritableOutput(f"cannot write '{path}': No space left on device — choose another -o/--output path")
        output.write_atomically(path, data)

    monkeypatch.setattr(build, "write_atomically", full_disk)
    result = run("build", "--cards", cards, "-o", package)
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert (cards / HISTORY).read_bytes() == history


def test_a_killed_build_leaves_no_temporary_behind(built: tuple[Path, Path]) -> None:
    """A temporary whose writer is gone is removed by the next write of the same output."""
    cards, package = built
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    leftover = package.parent / f".{package.name}.{dead}.abc123.tmp"
    leftover.write_bytes(b"half a package")
    assert run("build", "--cards", cards, "-o", package).exit_code == 0
    assert not leftover.exists()
    assert not [p for p in package.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("value", ["nan,0", "0,inf", "1,2,3", "x,y"])
def test_a_back_offset_that_is_not_two_numbers_is_misuse(minimal: Path, tmp_path: Path, value: str) -> None:
    result = run("pdf", "--cards", minimal, "-o", tmp_path / "x.pdf", "--back-offset", value)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--back-offset'" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_a_byte_order_mark_and_crlf_line_endings_are_read_as_text(built: tuple[Path, Path]) -> None:
    cards, package = built
    path = cards / STATUS
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    result = run("build", "--cards", cards, "-o", package)
    assert result.exit_code == 0, result.output
    assert "(6 notes)" in result.output


def test_ids_keeps_a_crlf_file_crlf(minimal: Path) -> None:
    path = minimal / STATUS
    path.write_bytes(path.read_bytes().replace(b"<!-- id: status-401; ", b"<!-- ").replace(b"\n", b"\r\n"))
    result = run("ids", "--cards", minimal)
    assert result.exit_code == 0, result.output
    data = path.read_bytes()
    assert b"<!-- id: status-code-answers-request-lacks-valid-credentials; ref" in data
    assert data.count(b"\r\n") == data.count(b"\n")
