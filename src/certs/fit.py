"""Type sizes that keep a certificate's variable text inside its box (pure; no I/O but
reading one font's widths once).

Every box on the certificate has a fixed place and size (certs.render draws the backdrop
and the holder's layer apart, so a box may never push another). Text of any allowed
length fits by wrapping and, past what wrapping can hold, smaller type: ``size_for``
lays the words out greedily, as the browser engine will, with the widths of the
template's first font (DejaVu Serif) and a margin for the fallback fonts, and returns the
largest size at which the lines fit the box's height.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Debian's fonts-dejavu-core; elsewhere every character is measured by the fallback below.
DEJAVU_SERIF = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
WIDE = 1.0  # CJK ideographs, kana, Hangul: one em each
OTHER = 0.75  # characters DejaVu lacks (Arabic, Hebrew, Devanagari in Noto): generous
MARGIN = 0.92  # of the box's width: kerning, synthetic italics, fallback fonts' widths
STEP = 0.5  # points between the sizes tried


@dataclass(frozen=True, slots=True)
class Box:
    """A text box on the page, in points: its width and height, the largest and smallest
    type, line height (times the size) and letter spacing (in ems)."""

    width: float
    height: float
    largest: float
    smallest: float
    line_height: float = 1.2
    letter_spacing: float = 0.0
    small_caps: bool = False


@lru_cache(maxsize=1)
def _advances() -> dict[int, float]:
    """DejaVu Serif's advance widths in ems, by code point."""
    if not DEJAVU_SERIF.exists():
        return {}
    from fontTools.ttLib import TTFont  # WeasyPrint's dependency; only needed here

    with TTFont(DEJAVU_SERIF) as font:
        per_em = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        return {code: metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}


def _em(char: str, box: Box) -> float:
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return WIDE + box.letter_spacing
    if box.small_caps:
        char = char.upper()
    return _advances().get(ord(char), OTHER) + box.letter_spacing


def _is_break(char: str) -> bool:
    """Where a line may end: after a space, and around ideographs (CJK has no spaces)."""
    return char.isspace() or unicodedata.east_asian_width(char) in ("W", "F")


def _words(text: str, box: Box) -> list[tuple[float, float]]:
    """(width of a word, width of the space after it) in ems; a wide character is a word."""
    words: list[tuple[float, float]] = []
    current = 0.0
    for char in text:
        if char.isspace():
            words.append((current, _em(" ", box)))
            current = 0.0
        elif _is_break(char):
            if current:
                words.append((current, 0.0))
            words.append((_em(char, box), 0.0))
            current = 0.0
        else:
            current += _em(char, box)
    if current:
        words.append((current, 0.0))
    return words


def line_count(text: str, box: Box, size: float) -> int:
    """Lines ``text`` takes at ``size`` points in ``box``: greedy, as CSS wraps; a word
    wider than the box is broken anywhere (``overflow-wrap: anywhere``)."""
    room = box.width * MARGIN / size  # in ems
    lines, used = 1, 0.0
    for width, space in _words(text, box):
        if used and used + width > room:
            lines, used = lines + 1, 0.0
        while width > room:  # a word longer than a line
            lines, width = lines + 1, width - room
        used += width + space
    return lines


@lru_cache(maxsize=4096)
def size_for(text: str, box: Box) -> float:
    """The largest size (in STEPs from ``box.largest``) at which ``text`` fits ``box``;
    the smallest when nothing larger does."""
    size = box.largest
    while size > box.smallest:
        if line_count(text, box, size) * size * box.line_height <= box.height:
            return size
        size -= STEP
    return box.smallest


def size_class(size: float) -> str:
    """A CSS class per size (classes, not style attributes: those cost ~5 ms a page)."""
    return f"s{size:g}".replace(".", "_")


def size_classes(boxes: list[Box]) -> list[tuple[str, float]]:
    """Every class the boxes can use, for the stylesheet."""
    sizes: set[float] = set()
    for box in boxes:
        size = box.largest
        while size >= box.smallest:
            sizes.add(size)
            size -= STEP
    return [(size_class(size), size) for size in sorted(sizes)]
