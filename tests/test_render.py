"""Rendering: highlighted code, media by file name, and nothing unsafe reaching a card."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder import render as render_module
from builder.render import cloze_back, cloze_front, markdown_to_html


def render(text: str, tmp_path: Path) -> tuple[str, list[Path]]:
    media_dir = tmp_path / "media"
    media_dir.mkdir(exist_ok=True)
    (media_dir / "tree.png").write_bytes(b"png")
    media: list[Path] = []
    return markdown_to_html(text, tmp_path / "apis" / "card.md", media_dir, media, []), media


def test_code_is_highlighted_at_build_time(tmp_path: Path) -> None:
    html, _ = render("```python\nx = [1, 2]\n```", tmp_path)
    assert '<div class="highlight">' in html
    assert '<span class="n">x</span>' in html


def test_a_language_the_highlighter_lacks_is_plain_text_and_only_drawn_diagrams_are_pictures(tmp_path: Path) -> None:
    """Raw HTML that looks like a diagram block was never drawn by validation: it stays code."""
    never_drawn = f"digraph {{ {tmp_path.name} }}"
    html, media = render(f'```klingon\nqapla\n```\n\n<pre><code class="language-dot">{never_drawn}\n</code></pre>', tmp_path)
    assert html.count('<div class="highlight"><pre><span></span><code>') == 2
    assert "qapla" in html and tmp_path.name in html
    assert "<img" not in html and media == []


def test_a_diagram_is_a_picture_only_where_its_fence_starts_a_line(tmp_path: Path) -> None:
    """Validation draws the ```dot blocks the fence scanner finds: one in a quote stays code,
    and a picture's name written as an image is no media file, whatever the cache holds."""
    source = f"digraph {{ {tmp_path.name} }}\n"
    drawn, media = render(f"```dot\n{source}```", tmp_path)
    name = media[0].name
    assert f'<img class="diagram" src="{name}" alt="Diagram">' in drawn
    quoted, quoted_media = render(f"> ```dot\n> {source}> ```", tmp_path)
    assert "<img" not in quoted and quoted_media == []
    missing: list[str] = []
    written = markdown_to_html(f"![d]({name})", tmp_path / "apis" / "card.md", tmp_path / "media", [], missing)
    assert missing == [name] and "src" not in written


def test_a_failure_inside_the_sanitiser_is_raised_not_swallowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(render_module, "resolve", broken)
    with pytest.raises(ZeroDivisionError):
        render("![tree](../media/tree.png)", tmp_path)


def test_scripts_handlers_and_javascript_links_are_removed(tmp_path: Path) -> None:
    # The script opens an HTML block, which runs to the blank line: the link is Markdown after it.
    html, _ = render('<script>alert(1)</script><b onclick="steal()">hi</b>\n\n[x](javascript:alert(1)) <a rel="attachment" href="/etc/passwd">f</a>', tmp_path)
    assert '<a rel="noopener noreferrer">x</a>' in html
    for unsafe in ("<script", "onclick", "javascript:", "attachment", "/etc/passwd"):
        assert unsafe not in html


def test_media_images_are_referenced_by_file_name(tmp_path: Path) -> None:
    html, media = render("![tree](../media/tree.png) <img src=\"file:///etc/passwd\"> ![far](http://example.com/x.png)", tmp_path)
    assert '<img src="tree.png" alt="tree">' in html
    assert media == [tmp_path / "media" / "tree.png"]
    assert "passwd" not in html and "example.com" not in html


@pytest.mark.parametrize(
    ("text", "shipped"),
    [
        ('<img src="../media/tree.png" src="file:///etc/passwd">', '<img src="tree.png">'),
        ('<textarea><img src="file:///etc/passwd"></textarea>', '&lt;img src="file:///etc/passwd"&gt;'),
        ('<template><img src="data:,x"></template>', "<p></p>"),
    ],
)
def test_a_source_nh3_never_reads_is_no_missing_image(tmp_path: Path, text: str, shipped: str) -> None:
    """html.parser reads a second source, and an image in a <textarea> or a <template>, where
    nh3's HTML5 parser does not: what nh3 writes of them goes out, as it did, with no error."""
    render("", tmp_path)
    missing: list[str] = []
    assert markdown_to_html(text, tmp_path / "apis" / "card.md", tmp_path / "media", [], missing) == shipped
    assert missing == []


def test_cloze_sides_for_print() -> None:
    text = "TCP opens with {{c1::SYN}}, then {{c2::SYN-ACK::reply}}."
    assert cloze_front(text) == 'TCP opens with <span class="cloze">[…]</span>, then <span class="cloze">[reply]</span>.'
    assert cloze_back(text) == 'TCP opens with <span class="cloze">SYN</span>, then <span class="cloze">SYN-ACK</span>.'


def test_the_front_shows_the_question_and_then_its_prompt(tmp_path: Path) -> None:
    from builder.cards import parse_card_file
    from builder.render import render_card

    text = "---\nsection: core\ntopic: t\nlevel: mid\n---\n\n## Why does Rust reject this code?\n<!-- id: b -->\n\n```rust\nv.push(4);\n```\n\n---\n\nA live borrow.\n"
    [card], _ = parse_card_file(tmp_path / "core" / "t.md", text)
    rendered = render_card(card, tmp_path / "media")
    assert rendered.front_html.startswith('Why does Rust reject this code?<div class="prompt"><div class="highlight">')
    assert "push" not in rendered.back_html and "A live borrow." in rendered.back_html


def test_worker_processes_render_what_one_process_does(minimal: Path) -> None:
    from builder.cards import load_cards
    from builder.render import render_cards

    cards = load_cards(minimal).cards
    assert render_cards(cards, minimal / "media", workers=2) == render_cards(cards, minimal / "media", workers=1)
