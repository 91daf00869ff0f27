"""The curated FAQ: entries for one event, one region or the whole coalition, and search.

The database's full-text index (SQLite FTS5, PostgreSQL tsvector; see the bot migration
15_36) only finds candidates: entries sharing at least one significant word with the
question. Their confidence is then computed here, in Python, from the same stemmed words on
both engines, so that one threshold means the same thing on SQLite and on PostgreSQL
(bm25 and ts_rank are on different scales, and depend on the rest of the table).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import snowballstemmer
from snowballstemmer.basestemmer import BaseStemmer

from bot.enums import FaqScope
from events.db import DB, fetch, fetch_one
from events.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class FaqHit:
    entry_id: int
    scope: FaqScope
    question: str
    answer: str
    confidence: float  # 0..1, see confidence()


# Candidates fetched from the index before scoring: plenty for a curated FAQ, and bounded.
CANDIDATES = 50
# Words sent to the index: a question longer than this is chat, not more precision.
MAX_QUERY_WORDS = 30
# Must be the indexed expression (migration 15_36) for PostgreSQL to use the GIN index.
FAQ_DOCUMENT = "to_tsvector('english', f.question || ' ' || f.answer)"
SCOPE_ORDER = {FaqScope.event: 0, FaqScope.region: 1, FaqScope.coalition: 2}

# English function words, plus what people add around a question in chat. Generic on
# purpose: words about events' facts (time, seats, parking, ...) must stay significant.
_STOP_WORDS_TEXT = """
    a about above after again against all also am an and any anyone anybody anything are aren
    arent as at be because been before being below between both but by can cant could
    couldnt did didnt do does doesnt doing dont down during each either else ever every few
    for from further get gets getting got had hadnt has hasnt have havent having he her here
    hers herself hi him himself his hello hey how i id if ill im in into is isnt it its
    itself ive just know let lets like may me might more most much must my myself near need
    needs no nor not now of off on once one only or other ought our ours ourselves out over
    own please pls same shall she should shouldnt so some someone something still such tell
    than thank thanks thx that thats the their theirs them themselves then there theres
    these they theyre this those though through to too under until up us very want wants
    was wasnt we were werent what whats when where whether which while who whom whos why
    will with wondering wonder wont would wouldnt yes yet you your youre yours yourself
    event events going gonna wanna quick question"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
# Letters and digits (any script), optionally joined by - . or an apostrophe: "wi-fi", "don't".
WORD = re.compile(r"[^\W_]+(?:[-.'’][^\W_]+)*")


@lru_cache(maxsize=1)
def _stemmer() -> BaseStemmer:
    # Snowball's English stemmer is PostgreSQL's 'english' one; FTS5's porter is its
    # predecessor. Scoring happens here, so both engines score with the same stems.
    return snowballstemmer.stemmer("english")


def _fold(word: str) -> str:
    """Lower case without accents, as FTS5's unicode61 tokenizer indexes words."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _word_forms(text: str) -> list[tuple[str, str]]:
    """(as typed but lower case, folded) for each significant word, in order, no repeats."""
    forms: dict[str, str] = {}
    for match in WORD.finditer(unicodedata.normalize("NFKC", text)):
        # Apostrophes close up ("don't" is the stop word "dont"); "'s" goes.
        typed = re.sub(r"['’]", "", re.sub(r"['’]s$", "", match.group().casefold()))
        pieces = re.split(r"[-.]", typed)
        # "wi-fi" and "wifi" should meet; the parts of "check-in" still count on their own.
        joined = ["".join(pieces)] + ([p for p in pieces if len(p) > 2] if len(pieces) > 1 else [])
        for word in joined:
            folded = _fold(word)
            if (len(folded) > 1 or folded.isdigit()) and folded not in STOP_WORDS:
                forms.setdefault(word, folded)
    return list(forms.items())


def significant_words(text: str) -> list[str]:
    """The words that carry meaning, folded, in order, without repeats."""
    return list(dict.fromkeys(folded for _, folded in _word_forms(text)))


def stems(text: str) -> frozenset[str]:
    return frozenset(_stemmer().stemWords(significant_words(text)))


def confidence(
    asked: frozenset[str], faq_question: frozenset[str], faq_answer: frozenset[str]
) -> float:
    """How surely an entry answers what was asked, 0..1.

    Two shares of stemmed words: how much of the FAQ's question the member asked about
    (``covered``), and how much of what the member asked the entry speaks to, question or
    answer (``answered``). Combined as a weighted geometric mean: either share near zero
    sinks the score, and the FAQ question's coverage weighs more, because it says what
    the entry is about, while members' questions carry extra words about their situation.
    """
    if not asked or not faq_question:
        return 0.0
    covered = len(asked & faq_question) / len(faq_question)
    answered = len(asked & (faq_question | faq_answer)) / len(asked)
    return round(covered**0.6 * answered**0.4, 4)


def _scope_clause(event_id: int | None, region_ids: list[int]) -> tuple[str, list[object]]:
    parts, args = ["f.scope = 'coalition'"], []
    if event_id is not None:
        parts.append("(f.scope = 'event' AND f.event = {})")
        args.append(event_id)
    if region_ids:
        parts.append(
            f"(f.scope = 'region' AND f.region IN ({', '.join('{}' for _ in region_ids)}))"
        )
        args.extend(region_ids)
    return "(" + " OR ".join(parts) + ")", args


async def _candidates(
    forms: list[tuple[str, str]], scope: str, scope_args: list[object]
) -> list[dict]:
    columns = "f.id, f.scope, f.question, f.answer"
    if DB.engine_type == "sqlite":
        # Each word as an FTS5 string ("..." with quotes doubled): whatever the member
        # typed, AND/OR/NOT/NEAR, *, ^, :, parentheses, is only ever a term here.
        words = dict.fromkeys(folded for _, folded in forms)
        match = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
        return await fetch(
            f"SELECT {columns} FROM faq_entry_fts JOIN faq_entry f ON f.id = faq_entry_fts.rowid "
            f"WHERE faq_entry_fts MATCH {{}} AND {scope} ORDER BY bm25(faq_entry_fts) LIMIT {{}}",
            match,
            *scope_args,
            CANDIDATES,
        )
    # Words are letters and digits only (WORD), so quoting each as a tsquery lexeme is
    # safe; to_tsquery stems them and drops PostgreSQL's own stop words. Accented words
    # go in as typed and without accents: the english configuration keeps accents.
    lexemes = dict.fromkeys(word for pair in forms for word in pair if word.isalnum())
    query = " | ".join(f"'{word}'" for word in lexemes)
    return await fetch(
        f"SELECT {columns} FROM faq_entry f WHERE {FAQ_DOCUMENT} @@ to_tsquery('english', {{}}) "
        f"AND {scope} ORDER BY ts_rank({FAQ_DOCUMENT}, to_tsquery('english', {{}})) DESC "
        "LIMIT {}",
        query,
        *scope_args,
        query,
        CANDIDATES,
    )


async def search(
    text: str, *, event_id: int | None, region_ids: list[int], limit: int = 3
) -> list[FaqHit]:
    """The entries that best answer ``text``: the event's, its regions', coalition-wide;
    best first, and on equal confidence the narrower scope first."""
    forms = _word_forms(text)[:MAX_QUERY_WORDS]
    if not forms:
        return []
    scope, scope_args = _scope_clause(event_id, sorted(set(region_ids)))
    rows = await _candidates(forms, scope, scope_args)
    asked = frozenset(_stemmer().stemWords([folded for _, folded in forms]))
    hits = [
        FaqHit(
            entry_id=row["id"],
            scope=FaqScope(row["scope"]),
            question=row["question"],
            answer=row["answer"],
            confidence=confidence(asked, stems(row["question"]), stems(row["answer"])),
        )
        for row in rows
    ]
    hits = [hit for hit in hits if hit.confidence > 0]
    # Rounded: 0.6667 and 0.6666 are the same match, and then the event's own entry wins.
    hits.sort(key=lambda h: (-round(h.confidence, 2), SCOPE_ORDER[h.scope], -h.entry_id))
    return hits[:limit]


# scope -> (names an event, names a region)
OWNERS = {
    FaqScope.event: (True, False),
    FaqScope.region: (False, True),
    FaqScope.coalition: (False, False),
}


def check_owner(scope: FaqScope | str, event_id: int | None, region_id: int | None) -> None:
    """An entry's owner matches its scope (the admin's hooks check edits with it too)."""
    expected = OWNERS[FaqScope(scope)]
    if (event_id is not None, region_id is not None) != expected:
        raise InvalidInput(
            "An event entry needs an event, a region entry a region, a coalition entry neither.",
            reason="owner_mismatch",
        )


async def add_entry(
    *,
    scope: FaqScope | str,
    question: str,
    answer: str,
    event_id: int | None = None,
    region_id: int | None = None,
    created_by: str = "",
) -> int:
    scope = FaqScope(scope)
    check_owner(scope, event_id, region_id)
    if not question.strip() or not answer.strip():
        raise InvalidInput("A FAQ entry needs a question and an answer.")
    row = await fetch_one(
        "INSERT INTO faq_entry (scope, event, region, question, answer, created_at, created_by) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}) RETURNING id",
        scope.value,
        event_id,
        region_id,
        question.strip(),
        answer.strip(),
        datetime.now(UTC),
        created_by,
    )
    return row["id"]


async def update_entry(
    entry_id: int, *, question: str | None = None, answer: str | None = None
) -> bool:
    """Change an entry's wording (the index follows: triggers or the expression index)."""
    changes = {k: v.strip() for k, v in {"question": question, "answer": answer}.items() if v}
    if not changes:
        return False
    assignments = ", ".join(f"{column} = {{}}" for column in changes)
    row = await fetch_one(
        f"UPDATE faq_entry SET {assignments} WHERE id = {{}} RETURNING id",
        *changes.values(),
        entry_id,
    )
    return row is not None


async def delete_entry(entry_id: int) -> bool:
    row = await fetch_one("DELETE FROM faq_entry WHERE id = {} RETURNING id", entry_id)
    return row is not None
