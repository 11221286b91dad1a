"""Compile Markdown flashcards into Anki decks and printable card sheets."""

import tomllib
from pathlib import Path

#: The checkout's root: the templates and the default card folder live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"

#: The release of the deck and of the tool: the version in pyproject.toml, kept in one place.
__version__ = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
