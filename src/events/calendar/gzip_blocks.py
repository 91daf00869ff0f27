"""Gzip made of separately compressed blocks, so a feed rebuilt after one change compresses
one block again instead of 8 MB.

A gzip member is a header, one raw DEFLATE stream, and a trailer with the CRC-32 and the
length of the whole text (RFC 1952). A DEFLATE stream may be a run of segments that each
end on a byte boundary with a full flush (RFC 1951: an empty stored block; the compressor's
window starts afresh after it), so a segment compressed on its own is valid anywhere in the
run. An empty final block closes the stream. Only the CRC-32 is computed over the whole
text, and it is cheap.

Blocks are cut where a fragment's key says so (``starts_block``), not every N fragments: a
session added or removed changes the blocks next to it, not every block after it.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator, Sequence

from zlib_ng import zlib_ng

HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, mtime 0, OS unknown
FINAL_BLOCK = b"\x03\x00"  # an empty fixed-Huffman block with BFINAL set
LEVEL = 4  # zlib-ng at 4 compresses about as well as zlib at 6, several times faster
BLOCK = 256  # fragments per block, on average
MAX_BLOCK = 4 * BLOCK
_GOLDEN = 2654435761  # Knuth's multiplicative hash: ids spread evenly over the buckets


def deflate_segment(data: bytes, level: int = LEVEL) -> bytes:
    compressor = zlib_ng.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def member(segments: Sequence[bytes], text: bytes) -> bytes:
    """The gzip file of ``text``, given its segments in order (their texts joined are
    ``text``)."""
    trailer = struct.pack("<II", zlib_ng.crc32(text), len(text) & 0xFFFFFFFF)
    return b"".join((HEADER, *segments, FINAL_BLOCK, trailer))


def starts_block(session_id: int) -> bool:
    return (session_id * _GOLDEN) % 2**32 % BLOCK == 0


def blocks(
    keys: Sequence[tuple], bodies: Sequence[bytes], session_of: Callable[[tuple], int]
) -> Iterator[tuple[tuple, bytes]]:
    """(the block's fragment keys, its text) in feed order."""
    start = 0
    for index in range(1, len(keys) + 1):
        at_end = index == len(keys)
        if at_end or index - start >= MAX_BLOCK or starts_block(session_of(keys[index])):
            yield tuple(keys[start:index]), b"".join(bodies[start:index])
            start = index
