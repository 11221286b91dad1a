"""Compile Markdown flashcards into Anki decks and printable card sheets."""

from pathlib import Path

__version__ = "0.1.0"

#: The checkout's root: the templates and the default card folder live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
