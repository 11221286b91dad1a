"""Generated card files, valid and broken, through `lint` and `build`.

Whatever a file holds, each command either succeeds or stops with `file:line: what — hint`
lines and exit code 1: never a traceback, never a hang. Every note a build writes is free of
scripts, event handlers, `javascript:` URLs and stray Anki field separators, and ships no file
from outside the media folder.

Each command runs in-process through Click's runner, but in a forked child with a memory cap and
a time limit: an input that never ends or eats all memory (a YAML alias bomb, a regex that
backtracks) then fails its example instead of taking the machine down with it, and no state
(the in-process HTML, the sanitiser and lexers) carries over from one example to the next.

`make test` runs the short profile; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) the long one.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import resource
import shutil
import sqlite3
import tempfile
import traceback
import zipfile
from contextlib import closing
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import builder.build  # noqa: F401 -- imported once here, so that no forked child imports them again
import builder.deck  # noqa: F401
from builder.__main__ import cli
from builder.diagrams import NAME as DIAGRAM_NAME
from builder.levels import LEVELS
from builder.syllabus import load_syllabus

from .conftest import FIXTURES

settings.register_profile(
    "short",
    max_examples=40,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
settings.register_profile("fuzz", settings.get_profile("short"), max_examples=2000)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "short"))

DECK = FIXTURES / "minimal"
TOPICS = [(topic.section, topic.id) for section in load_syllabus(DECK)[0].sections for topic in section.topics]
MEDIA = {path.name for path in (DECK / "media").iterdir()}
FOLDERS = ("apis", "databases", "fuzz")

#: A hang detector, not a benchmark: ten times what a build takes per KB of cards on a busy
#: machine (a generated deck of 2,000 cards, 865 KB, builds in 9 s), so that work that grows
#: with the square of a line's length shows within the sizes generated here. The base is
#: generous: a long run beside other work once took over 5 s for a small deck, and was not slow
#: when tried again.
BASE_SECONDS = 15.0
SECONDS_PER_KB = 0.1
#: Address space a run may add to what the test process already maps.
MEMORY_HEADROOM = 1 << 30

LOCATED = re.compile(r"^[^:\n]+:\d+: .+ — .+$")
SUMMARY = re.compile(r"^Error: (\d+) error\(s\) in the cards; nothing was written$")
#: What a browser ignores in a URL before its scheme, and inside it.
URL_IGNORED = re.compile(r"[\x00-\x20]+")

# ---------------------------------------------------------------------------------------------
# What a card file is made of. "Clean" pieces make a card the build must accept: hostile HTML
# included (the sanitiser has to neutralise it), and long runs of openings that stress the
# parsers. "Broken" pieces must give an error at a line.

WORDS = st.sampled_from(
    "index B-tree TCP why when trade-off é 日本 🙂 a_b * _ ` # < > & &amp; \\ | [ ] ( ) ! : :: -- --> "
    "<!-- {{ }} $ % **bold** `code` ~~~ ``` ### ---".split()
)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12)
HOSTILE = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//x.test/a.js></SCRIPT>",
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<iframe src=javascript:alert(1)></iframe>",
        '<img src="../media/tree.png" onerror="alert(1)">',
        "<img/src=../media/tree.png/onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="https://example.com" onmouseover="alert(1)">x</a>',
        '<div onclick="alert(1)" class="x">x</div>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<style>*{display:none}</style>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](jav&#x61;script:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x]( javascript:alert(1) )",
        '[x](https://example.com "t\\" onmouseover=\\"alert(1)")',
        "<javascript:alert(1)>",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x][js]",
        "![x][img]",
        "![tree](../media/tree.png)",
        "<!-- a comment -->",
        "&lt;script&gt;",
        "\ufeff",
    ]
)
VALID_CLOZES = st.sampled_from(["{{c1::snapshot isolation}}", "{{c1::a::hint}}", "{{c2::b}} and {{c1::a}}", "{{c1::<script>x</script>}}", "{{c1::x::<img src=x onerror=alert(1)>}}"])
BROKEN_CLOZES = st.sampled_from(["{{c1::unclosed", "{{c0::x}}", "{{c1::}}", "{{c1::::}}", "{{c1::{{c2::nested}}}}", "{{c99999999999999999999::big}}", "{{c1::x}", "{{C1::x}}"])
CONTROL = st.sampled_from(["\x00", "\x08", "\x0b", "\x0c", "\x1b[2J", "\x1c", "\x1f", "\x7f", "\x85", "\u2028", "\u2029", "\r"])
BROKEN_IMAGES = st.sampled_from(
    ["![x](../media/missing.png)", "![x](../../../../etc/passwd)", "![x](/etc/passwd)", "![x](file:///etc/passwd)", "![x](https://example.com/a.png)", "<img src=x onerror=alert(1)>", "![x](../media)", "![x](<../media/tree.png>)", "![x](../media/tree%2epng)", "![x](%00)"]
)
#: Openings that a parser may rescan to the end of the text, or recurse into, once per repetition.
REPEATED = st.sampled_from(["{{c1::", "![", "<!--", "```\n", "<img src=", "[", "<", "`", "{{c1::a::", "<a href=", "*", "_", "- ", "> ", "<div>"])


def sentence(*extra: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(WORDS, TEXT, HOSTILE, *extra), min_size=1, max_size=10).map(" ".join)


CLEAN_SENTENCE = sentence()
ANY_SENTENCE = sentence(VALID_CLOZES, BROKEN_CLOZES, CONTROL, BROKEN_IMAGES)

CODE_LINES = st.lists(st.one_of(st.sampled_from(["SELECT 1;", "print('x')", "<script>alert(1)</script>", "## not a heading", "---", "{{c1::x}}", "digraph { a -> b }", ""]), TEXT), max_size=4)
CLEAN_LANGUAGES = st.sampled_from(["", "python", "sql", "json", "yaml", "sh", "html", "text", "output"])
CLEAN_DIAGRAMS = st.sampled_from(["digraph { a -> b }", 'digraph { a [label="<script>alert(1)</script>"] }', "digraph { a [label=<<b>bold</b>>] }", 'digraph { a [tooltip="javascript:alert(1)"] }', 'digraph { a [class="x" id="onload"] }'])
BROKEN_DIAGRAMS = st.sampled_from(["digraph { a -> }", 'digraph { a [image="/etc/passwd"] }', 'digraph { a [URL="javascript:alert(1)"] }', 'digraph { a [label=<<img src="/etc/passwd"/>>] }'])


def fenced(marker: str, language: str, lines: list[str], closer: str) -> str:
    return "\n".join([marker + language, *lines, closer])


def clean_fence() -> st.SearchStrategy[str]:
    code = st.builds(lambda m, lang, lines: fenced(m, lang, lines, m), st.sampled_from(["```", "~~~", "````"]), CLEAN_LANGUAGES, CODE_LINES)
    return code | st.builds(lambda source: fenced("```", "dot", [source], "```"), CLEAN_DIAGRAMS)


def broken_fence() -> st.SearchStrategy[str]:
    markers = st.sampled_from(["```", "~~~", "````", "`````", "~~~~", "  ```", "``"])
    closers = st.sampled_from(["", "```", "~~~", "````", "``` trailing", "   ```"])
    fence = st.builds(fenced, markers, st.sampled_from(["", "python", "dot", "x y", "{.sql}"]), CODE_LINES, closers)
    nested = st.builds(lambda outer, inner: fenced(outer, "md", [inner, "## heading in a fence"], outer), st.sampled_from(["````", "~~~", "```"]), fence)
    diagram = st.builds(lambda source: fenced("```", "dot", [source], "```"), BROKEN_DIAGRAMS)
    return st.one_of(fence, nested, diagram)


REFERENCES = st.sampled_from(["[js]: javascript:alert(1)", "[js]: https://example.com", "[img]: ../media/tree.png", "[img]: javascript:alert(1)", "[img]: ../../../../etc/passwd", "[img]: ../media/missing.png", "[img]: %00", '[img]: ../media/tree.png "t" onerror="alert(1)"'])
CLEAN_BLOCKS = st.one_of(
    CLEAN_SENTENCE,
    clean_fence(),
    REFERENCES,
    st.lists(CLEAN_SENTENCE, min_size=1, max_size=4).map(lambda items: "\n".join(f"- {item}" for item in items)),
    st.builds(lambda a, b: f"| a | b |\n|---|---|\n| {a} | {b} |", CLEAN_SENTENCE, CLEAN_SENTENCE),
    st.sampled_from(["<div>\n<script>alert(1)</script>\n</div>", "<details><summary>x</summary>y</details>", "### sub-heading", "# a title", "> quoted", "<!-- schema\nCREATE TABLE t (a INT);\n-->"]),
    st.integers(1, 4000).map(lambda n: "word " * n),
)
RUNS = st.builds(lambda token, size: token * (size // len(token) + 1), REPEATED, st.sampled_from([100, 4_000, 40_000]))
ANY_BLOCKS = st.one_of(
    CLEAN_BLOCKS,
    ANY_SENTENCE,
    broken_fence(),
    st.sampled_from(["---", "## ", "##", "## " + "x" * 9000, "##no space", "<!-- id: late -->", "<!-- unclosed", "<!--\n## a heading in a comment\n-->", "\tindented", "    ```"]),
)


def metadata(card_id: st.SearchStrategy[str], value: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    optional = (st.builds("level: {}".format, st.sampled_from(LEVELS)), st.builds("ref: {}".format, value), st.just("tags: sql, scenario"))
    items = st.tuples(*(st.none() | item for item in optional))
    return st.builds(lambda i, rest: "<!-- " + "; ".join([f"id: {i}", *filter(None, rest)]) + " -->", card_id, items)


FRESH_ID = st.uuids().map(lambda u: f"fuzz-{u.hex[:12]}")
CLEAN_META = metadata(FRESH_ID, st.sampled_from(["RFC 9110", "<script>alert(1)</script>", "[x](javascript:alert(1))", "https://example.com"]))
ANY_META = st.one_of(
    metadata(st.sampled_from(["status-401", "Bad_Id", "a--b", "", "x" * 300]) | FRESH_ID, ANY_SENTENCE),
    st.sampled_from(["", "<!-- id: x", "<!-- id -->", "<!-- id: x; colour: red -->", "<!-- type: quiz; id: x -->", "<!-- id: x; id: y -->", "<!-- level: expert; id: x -->", "<!-- tags: changed::1; id: x -->", "<!-- id: x; type: cloze -->", "<!-- id: x; type: basic -->", "<!-- id: x --> <!-- level: mid -->"]),
)


@st.composite
def card(draw, clean: bool) -> str:
    question = draw(CLEAN_SENTENCE if clean else st.one_of(ANY_SENTENCE, st.just(""), st.just("x" * 9000)))
    if draw(st.booleans()):
        question += " " + draw(VALID_CLOZES if clean else st.one_of(VALID_CLOZES, BROKEN_CLOZES))
    blocks = draw(st.lists(CLEAN_BLOCKS if clean else ANY_BLOCKS, max_size=4))
    if draw(st.booleans()):
        blocks.append(draw(RUNS))
    if clean and draw(st.booleans()):
        blocks.append("---")  # what comes above it shows on the front
    blocks.append(draw(CLEAN_SENTENCE if clean else st.one_of(ANY_SENTENCE, st.just(""))))
    meta = draw(CLEAN_META if clean else ANY_META)
    return "\n".join([f"## {question}", meta, "", "\n\n".join(blocks)])


VALID_FRONT_MATTER = st.builds(
    lambda topic, level, tags: f"---\nsection: {topic[0]}\ntopic: {topic[1]}\nlevel: {level}\n{tags}---\n",
    st.sampled_from(TOPICS),
    st.sampled_from(LEVELS),
    st.sampled_from(["", "tags: [sql]\n", "tags: sql, scenario\n"]),
)


def alias_bomb(depth: int, width: int, key: str) -> str:
    """`a0: &a0 [x, x]`, `a1: &a1 [*a0, *a0]`, …: tiny as YAML, width**depth items once expanded."""
    lines = ["---", "section: apis", f"a0: &a0 [{', '.join(['x'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth)]
    return "\n".join([*lines, f"{key}: *a{depth - 1}", "---", ""])


BROKEN_FRONT_MATTER = st.one_of(
    st.sampled_from(
        [
            "",
            "---\nsection: apis\n",
            "---\ntopic: [status\n---\n",
            "---\n- a\n- b\n---\n",
            '---\n"key\\nwith a line break": 1\n---\n',
            '---\nsection: "ap\\nis"\ntopic: status-codes\nlevel: junior\ntags: ["a\\nb"]\n---\n',
            "---\nsection: !!python/object/apply:os.system [echo]\n---\n",
            "---\nsection: apis\nsection: databases\ntopic: indexes\nlevel: junior\n---\n",
            "---\nsection: [apis]\ntopic: {x: 1}\nlevel: 3\ntags: {a: b}\n---\n",
            "---\n? [a, b]\n: c\n---\n",
            "---\n\tsection: apis\n---\n",
            "---\nsection: *undefined\n---\n",
            "---\nsection: apis\ntopic: status-codes\nlevel: junior\ntags: [changed::0.1.0, 'two words']\n---\n",
            "--- \nsection: apis\ntopic: status-codes\nlevel: junior\n ---\n",
            "---\nsection: apis\ntopic: status-codes\nlevel: junior\n...\n",
        ]
    ),
    st.builds(lambda n: "---\nsection: " + "[" * n + "]" * n + "\n---\n", st.integers(1, 1000)),
    st.builds(alias_bomb, st.integers(1, 12), st.integers(2, 12), st.sampled_from(["section", "topic", "tags", "level", "extra"])),
)


@dataclass(frozen=True)
class CardFile:
    name: str
    data: bytes


@st.composite
def card_file(draw, index: int) -> CardFile:
    """A file the build must accept, or one that may hold anything: broken YAML, headings,
    fences and clozes, control characters, another encoding, stray bytes."""
    clean = draw(st.booleans())
    front = draw(VALID_FRONT_MATTER if clean else st.one_of(VALID_FRONT_MATTER, BROKEN_FRONT_MATTER))
    title = draw(st.sampled_from(["", "# Title\n\n"]))
    cards = draw(st.lists(card(clean), min_size=1 if clean else 0, max_size=4))
    text = front + "\n" + title + "\n\n".join(cards) + "\n"
    newline = draw(st.sampled_from(["\n", "\r\n"] if clean else ["\n", "\r\n", "\r"]))
    encoding = "utf-8" if clean else draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"]))
    data = text.replace("\n", newline).encode(encoding, errors="replace")
    if not clean and draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    folder = draw(st.sampled_from(FOLDERS))
    return CardFile(f"{folder}/fuzz-{index}.md", data)


DECKS = st.integers(1, 3).flatmap(lambda n: st.tuples(*(card_file(i) for i in range(n))))

# ---------------------------------------------------------------------------------------------
# Running a command, and what its outcome must be.


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    #: The traceback of anything the command raised other than a clean exit; "" if none.
    crash: str


def _invoke(args: list[str], memory_limit: int, send) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    result = CliRunner().invoke(cli, args)
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    # The outer frames name the stage that failed; a RecursionError's inner thousand do not.
    crash = "".join(traceback.format_exception(result.exception, limit=30)) if crashed else ""
    send.send(Outcome(result.exit_code, result.stdout, result.stderr, crash))


def run_bounded(args: list[str], seconds: float) -> Outcome:
    """The command's outcome, from a forked child that may take `seconds` and the memory cap."""
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_invoke, args=(args, pages * resource.getpagesize() + MEMORY_HEADROOM, send))
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            pytest.fail(f"'{args[0]}' still running after {seconds:.0f} s")
        try:
            return receive.recv()
        except EOFError:
            child.join()
            pytest.fail(f"'{args[0]}' died with exit code {child.exitcode} before answering")
    finally:
        child.kill()
        child.join()


def check_outcome(command: str, outcome: Outcome) -> None:
    """Exit 0, or exit 1 with one located line per problem and Click's one summary line."""
    assert not outcome.crash, f"'{command}' crashed:\n{outcome.crash}"
    assert outcome.exit_code in (0, 1), f"'{command}' exits with {outcome.exit_code}"
    lines = outcome.stderr.split("\n")[:-1]
    counted = SUMMARY.match(lines.pop()) if outcome.exit_code == 1 and lines else None
    assert outcome.exit_code == 0 or counted, f"'{command}' exits with 1 without the count of errors last: {outcome.stderr[-300:]!r}"
    unlocated = [line for line in lines if not LOCATED.match(line)]
    assert not unlocated, f"'{command}' printed lines that are not 'file:line: what — hint': {unlocated}"
    if counted:
        errors = [line for line in lines if ": warning: " not in line]
        assert int(counted.group(1)) == len(errors) > 0, f"'{command}' counts {counted.group(1)} errors, prints {len(errors)}"


class Markup(HTMLParser):
    """Every start tag of a field with its attributes, entities decoded as a browser does."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def check_package(apkg: Path) -> None:
    """Every note: four fields that cannot run code; every media file from media/ or a diagram."""
    with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as tmp:
        media = json.loads(archive.read("media"))
        diagrams = {name: archive.read(number).decode("utf-8") for number, name in media.items() if DIAGRAM_NAME.match(name)}
        collection = Path(archive.extract("collection.anki2", tmp))
        with closing(sqlite3.connect(collection)) as db:
            notes = [flds for (flds,) in db.execute("select flds from notes")]
    shipped = [name for name in media.values() if name not in MEDIA and name not in diagrams]
    assert not shipped, f"the package ships files from outside the media folder: {shipped}"
    for flds in notes:
        assert flds.count("\x1f") == 3, f"a note has {flds.count(chr(0x1F)) + 1} fields instead of 4: {flds!r}"
        check_inert(flds, "a note")
    for name, svg in diagrams.items():
        check_inert(svg, f"diagram {name}")


def check_inert(html: str, what: str) -> None:
    """No script, no event handler, no javascript: URL, as a browser would parse `html`."""
    assert "<script" not in html.lower(), f"a script in {what}: {html!r}"
    for tag, attributes in Markup(html).tags:
        assert tag != "script", f"a script in {what}: {html!r}"
        for name, value in attributes:
            assert not name.startswith("on"), f"an event handler {name}= on <{tag}> in {what}: {html!r}"
            url = URL_IGNORED.sub("", value or "").lower()
            assert not url.startswith("javascript:"), f"a javascript: URL in <{tag} {name}> in {what}: {html!r}"


def check_deck(files: tuple[CardFile, ...]) -> int:
    """Lint and build a copy of the small fixture deck with `files` added, and judge both;
    returns the build's exit code."""
    with tempfile.TemporaryDirectory() as tmp:
        cards = Path(shutil.copytree(DECK, Path(tmp) / "cards"))
        for file in files:
            (cards / file.name).parent.mkdir(exist_ok=True)
            (cards / file.name).write_bytes(file.data)
        seconds = BASE_SECONDS + SECONDS_PER_KB * sum(len(file.data) for file in files) / 1024
        apkg = Path(tmp) / "dist" / "deck.apkg"
        lint = run_bounded(["lint", "--cards", str(cards)], seconds)
        check_outcome("lint", lint)
        build = run_bounded(["build", "--cards", str(cards), "-o", str(apkg)], seconds)
        check_outcome("build", build)
        assert build.exit_code == lint.exit_code, f"lint exits {lint.exit_code} but build {build.exit_code}:\n{lint.stderr}\n{build.stderr}"
        if build.exit_code == 0:
            check_package(apkg)
        return build.exit_code


@settings(PROFILE)
@given(DECKS)
def test_lint_and_build_fail_only_at_a_line_and_write_only_safe_notes(files: tuple[CardFile, ...]) -> None:
    event(f"build exit code {check_deck(files)}")
