"""Gzip from separately compressed blocks: valid gzip whatever the blocks, one block
compressed again after one change, blocks cut by content so an insertion stays local."""

from __future__ import annotations

import gzip
import random
from datetime import UTC, datetime

from events.calendar import feeds, gzip_blocks, ical


def _fragment(session_id: int, revision: int = 0) -> tuple[tuple, bytes]:
    key = (session_id, revision, datetime(2026, 1, 1, tzinfo=UTC), None, None)
    text = (
        f"BEGIN:VEVENT\r\nUID:session-{session_id}@test\r\nSEQUENCE:{revision}\r\n"
        f"SUMMARY:Session {session_id} {random.Random(session_id).random()}\r\nEND:VEVENT\r\n"
    )
    return key, text.encode()


def test_segments_compressed_apart_make_one_valid_gzip_file():
    texts = [b"", b"BEGIN:VCALENDAR\r\n", b"x" * 100_000, bytes(range(256)) * 300, b"END\r\n"]
    for cut in range(1, len(texts)):
        parts = [b"".join(texts[:cut]), b"".join(texts[cut:])]
        whole = b"".join(parts)
        member = gzip_blocks.member([gzip_blocks.deflate_segment(p) for p in parts], whole)
        assert gzip.decompress(member) == whole  # checks the CRC-32 and the length too
    assert gzip.decompress(gzip_blocks.member([], b"")) == b""


def test_blocks_are_cut_by_content_so_an_insertion_changes_only_its_neighbours():
    pairs = [_fragment(session_id) for session_id in range(1, 3001)]
    keys, bodies = [k for k, _ in pairs], [b for _, b in pairs]
    before = list(gzip_blocks.blocks(keys, bodies, session_of=lambda key: key[0]))
    assert b"".join(text for _, text in before) == b"".join(bodies)
    assert all(len(block) <= gzip_blocks.MAX_BLOCK for block, _ in before)
    assert 3000 / len(before) > gzip_blocks.BLOCK / 3  # blocks, not single fragments

    new_key, new_body = _fragment(100_000)
    at = 1500
    after = list(
        gzip_blocks.blocks(
            keys[:at] + [new_key] + keys[at:],
            bodies[:at] + [new_body] + bodies[at:],
            session_of=lambda key: key[0],
        )
    )
    changed = {block for block, _ in after} - {block for block, _ in before}
    assert 1 <= len(changed) <= 2


async def test_a_big_feed_rebuilt_after_one_change_compresses_one_block():
    feeds.segments.clear()
    info = ical.FeedInfo("Big", "A big feed", "https://convene.test/events")
    pairs = [_fragment(session_id) for session_id in range(1, 2001)]
    keys, bodies = [k for k, _ in pairs], [b for _, b in pairs]

    first = await feeds._assemble_in_blocks(info, keys, bodies, None)
    assert gzip.decompress(first.gzipped) == first.body == ical.render_calendar(info, bodies)
    compressed = len(feeds.segments)

    keys[700], bodies[700] = _fragment(701, revision=1)
    second = await feeds._assemble_in_blocks(info, keys, bodies, None)
    assert gzip.decompress(second.gzipped) == second.body == ical.render_calendar(info, bodies)
    assert len(feeds.segments) == compressed + 1  # only the changed fragment's block
    assert second.gzip_etag != first.gzip_etag
