"""Text as the linker reads it: folded to plain lower-case words, each remembering where
it stood in the original, so that a recognised name can be cut out of the original text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Letters and digits; "wi-fi" is two words, "Fort Worth's" is "fort worth s".
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents: "Café" -> "cafe"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """The form names and aliases are compared in: folded words separated by one space.
    "The Valley", "the  valley!" and "THE VALLEY" are all "the valley"."""
    return " ".join(_WORD.findall(fold(text.replace("’", "'").replace("'", ""))))


@dataclass(frozen=True, slots=True)
class Word:
    text: str  # normalized
    start: int  # in the original text
    end: int
    typed: str  # as typed: "CO" and "co" differ for two-letter aliases


def words(text: str) -> list[Word]:
    """The text's words with their places. Apostrophes join ("don't" is "dont") as
    normalize() joins them, so a phrase's words match an alias's."""
    found: list[Word] = []
    for match in re.finditer(r"[^\W_]+(?:['’][^\W_]+)*", text):
        typed = match.group()
        found.append(Word(normalize(typed), match.start(), match.end(), typed))
    return found


def without(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the spans removed, and spaces tidied."""
    kept, last = [], 0
    for start, end in sorted(spans):
        if start >= last:
            kept.append(text[last:start])
            last = end
    kept.append(text[last:])
    return re.sub(r"\s+", " ", " ".join(kept)).strip()
