"""Loading card files: defaults, overrides, and where each card starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.cards import parse_card_file

HEADER = "---\nsection: apis\ntopic: status-codes\nlevel: junior\ntags: [http]\n---\n"


def parse(body: str):
    return parse_card_file(Path("x.md"), HEADER + body)


def test_file_defaults_apply_and_card_metadata_overrides_them() -> None:
    cards, problems = parse(
        "\n# Status codes\n\n## Which code means created?\n<!-- id: created -->\n\n201.\n\n"
        "## Which code means conflict?\n<!-- id: conflict; level: mid; tags: db, http; ref: RFC 9110 -->\n\n409.\n"
    )
    assert problems == []
    first, second = cards
    assert (first.id, first.level, first.tags, first.line, first.answer) == ("created", "junior", ("http",), 10, "201.")
    assert (second.level, second.tags, second.ref, second.line) == ("mid", ("db", "http"), "RFC 9110", 15)


def test_headings_inside_code_fences_do_not_start_cards() -> None:
    cards, problems = parse("\n## Which comment marks a heading in Markdown?\n<!-- id: md -->\n\n```markdown\n## not a card\n```\n")
    assert problems == []
    assert len(cards) == 1
    assert "## not a card" in cards[0].answer


def test_cloze_markup_makes_a_cloze_card_without_type() -> None:
    cards, _ = parse("\n## HTTP/3 runs over {{c1::QUIC}}.\n<!-- id: h3 -->\n")
    assert cards[0].is_cloze
    assert cards[0].answer == ""


def test_text_before_the_first_card_is_an_error() -> None:
    _, problems = parse("\nStray paragraph.\n\n## Which code means created?\n<!-- id: created -->\n\n201.\n")
    assert [str(p) for p in problems] == ["x.md:8: text before the first card — start each card with a '## ' heading"]


def test_a_file_without_cards_is_an_error() -> None:
    _, problems = parse("\n# Only a title\n")
    assert [p.message for p in problems] == ["the file holds no card"]


def test_a_divider_line_puts_what_is_above_it_on_the_front() -> None:
    cards, problems = parse(
        "\n## Why does Rust reject this code?\n<!-- id: borrow -->\n\n```rust\nv.push(4);\n```\n\n---\n\nA live shared borrow.\n"
    )
    assert problems == []
    [card] = cards
    assert card.prompt == "```rust\nv.push(4);\n```"
    assert card.answer == "A live shared borrow."
    assert (card.line_of("prompt_start"), card.line_of("answer_start")) == (11, 17)


def test_a_divider_inside_a_code_fence_is_code() -> None:
    cards, _ = parse("\n## Which line ends YAML front matter?\n<!-- id: yaml-end -->\n\n```yaml\n---\n```\n")
    assert cards[0].prompt == ""
    assert "---" in cards[0].answer


SECOND_CARD = "\n## Second?\n<!-- id: second -->\n\nB.\n"


@pytest.mark.parametrize(
    ("body", "cards"),
    [
        # A longer fence holds a shorter one: only as long a fence closes it.
        ("````\n```\n## inside\n```\n````\n", 1),
        # Tildes do not close backticks; a longer run of backticks does.
        ("```\n~~~\n## inside\n````\n" + SECOND_CARD, 2),
        # A fence with a language opens; the block ends at a bare fence.
        ("```python\nx = 1\n```\n" + SECOND_CARD, 2),
        # Up to three spaces before a fence, and spaces after the closing one.
        ("   ```\n## inside\n  ```  \n" + SECOND_CARD, 2),
        # Four spaces make indented code, not a fence; backticks after backticks, inline code.
        ("    ```\n" + SECOND_CARD, 2),
        ("```a`b\n" + SECOND_CARD, 2),
    ],
)
def test_fences_follow_the_renderers_rules(tmp_path: Path, body: str, cards: int) -> None:
    text = "---\nsection: core\ntopic: t\nlevel: mid\n---\n\n## First?\n<!-- id: first -->\n\n" + body
    parsed, problems = parse_card_file(tmp_path / "t.md", text)
    assert problems == []
    assert len(parsed) == cards


@pytest.mark.parametrize(
    "text",
    [
        "````\n```\ninner\n```\n````\n\n~~~sql\nSELECT 1;\n~~~\n",
        "Text\n```python\n  x = 1\n\n\ny = 2\n`````\nafter\n",
        "  ```go\n  a\n b\nc\n   ```\n",
        "```a`b\n```\ncode\n```\n",
        # A tab under an indented fence loses the fence's indentation by columns, as in cmark.
        "  ```dot\n  digraph {\n\ta -> b\n \t}\n  ```\n",
    ],
)
def test_the_fence_scanner_agrees_with_the_markdown_renderer(text: str) -> None:
    """The code the snippet checker runs is the code the renderer shows, language and all."""
    import html

    import cmarkgfm

    from builder.fences import blocks
    from builder.render import CODE_BLOCK

    rendered = CODE_BLOCK.findall(cmarkgfm.markdown_to_html(text))
    assert [(b.language, b.code) for b in blocks(text)] == [(language, html.unescape(code)) for language, code in rendered]


@pytest.mark.parametrize(
    ("question", "error"),
    [
        ("A {{c1::b}} c", ""),
        ("A {{c1::b::hint}} and {{c2::d}}", ""),
        ("A {{c1::b", "deletion '{{c1::b…' is never closed with }}"),
        ("A {{c0::b}}", "deletion '{{c0::b}}' is numbered 0"),
        ("A {{c1:: }}", "deletion '{{c1:: }}' hides nothing"),
        ("{{c1::" * 3000, "deletion '{{c1::{{c1::{{c1::{{…' is never closed with }}"),
    ],
)
def test_cloze_scanner(question: str, error: str) -> None:
    from builder.cloze import scan

    assert scan(question).error == error


def test_a_comment_in_a_code_block_is_code() -> None:
    from builder.cards import without_comments

    text = "Mark it up:\n<!-- fragment: a sample -->\n```html\n<!-- a note in the markup -->\n<p>x</p>\n```\nDone. <!-- gone -->"
    assert without_comments(text) == "Mark it up:\n```html\n<!-- a note in the markup -->\n<p>x</p>\n```\nDone. "
