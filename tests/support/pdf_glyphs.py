"""Which characters of a PDF were drawn without a glyph (the empty boxes of a missing font).

Each embedded font's ToUnicode map says which text each glyph draws; the font program
itself (TrueType or CFF, as embedded) says whether that glyph exists and has an outline.
A character whose glyph is missing or empty was printed as a box (or nothing), though
copying the text from the PDF still gives the character back."""

from __future__ import annotations

import io
import re

from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont
from pypdf import PdfReader

_HEX = re.compile(r"<([0-9a-fA-F]*)>")


def _text(hex_digits: str) -> str:
    return bytes.fromhex(hex_digits).decode("utf-16-be")


def _to_unicode(cmap: str) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        pairs = _HEX.findall(block)
        for cid, text in zip(pairs[::2], pairs[1::2], strict=True):
            mapping[int(cid, 16)] = _text(text)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for line in block.strip().splitlines():
            first, last, start = _HEX.findall(line)[:3]
            base = _text(start)
            for offset in range(int(last, 16) - int(first, 16) + 1):
                mapping[int(first, 16) + offset] = base[:-1] + chr(ord(base[-1]) + offset)
    return mapping


def _outlined_glyphs(descriptor) -> tuple[str, object]:
    """("truetype", TTFont) or ("cff", the CFF font), from the embedded font program."""
    if "/FontFile2" in descriptor:
        return "truetype", TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
    data = descriptor["/FontFile3"].get_object().get_data()
    if data[:4] in (b"OTTO", b"\x00\x01\x00\x00"):
        return "cff", TTFont(io.BytesIO(data))["CFF "].cff
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    return "cff", cff


def _has_outline(kind: str, font, gid: int) -> bool:
    if kind == "truetype":
        order = font.getGlyphOrder()
        if gid == 0 or gid >= len(order):
            return False
        glyph = font["glyf"][order[gid]]
        return glyph.numberOfContours != 0
    top = font[font.fontNames[0]]
    strings = top.CharStrings
    name = (
        f"cid{gid:05d}"
        if hasattr(top, "ROS")
        else top.charset[gid]
        if gid < len(top.charset)
        else None
    )
    if gid == 0 or name is None or name not in strings:
        return False
    return strings[name].calcBounds(strings) is not None


def missing_glyphs(pdf: bytes) -> set[str]:
    """The characters (other than spaces) drawn with a missing or empty glyph."""
    missing: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for reference in page["/Resources"]["/Font"].values():
            font = reference.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            assert descendant.get("/CIDToGIDMap", "/Identity") == "/Identity", descendant
            kind, program = _outlined_glyphs(descendant["/FontDescriptor"].get_object())
            mapping = _to_unicode(font["/ToUnicode"].get_object().get_data().decode("latin-1"))
            for gid, text in mapping.items():
                if (not text or not text.isspace()) and not _has_outline(kind, program, gid):
                    missing.add(text or f"glyph {gid} of {font['/BaseFont']}")
    return missing
