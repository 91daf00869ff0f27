"""Verification codes: unguessable, printed readably, forgiving when typed back."""

from __future__ import annotations

from certs import codes
from certs.render import display_code


def test_a_code_carries_at_least_128_random_bits():
    assert codes.LENGTH * 5 >= 128
    code = codes.new_code()
    assert len(code) == codes.LENGTH
    assert set(code) <= set(codes.ALPHABET)
    assert len(set(codes.ALPHABET)) == 32


def test_codes_do_not_repeat():
    assert len({codes.new_code() for _ in range(2000)}) == 2000


def test_codes_use_every_symbol_in_every_position():
    """A weak generator (e.g. fixed high bits) would leave positions constant."""
    samples = [codes.new_code() for _ in range(2000)]
    for position in range(codes.LENGTH):
        assert len({code[position] for code in samples}) == 32


def test_the_printed_form_is_groups_of_four():
    code = codes.new_code()
    printed = display_code(code)
    assert printed.split("-") == [code[i : i + 4] for i in range(0, 28, 4)]


def test_typed_codes_are_normalized():
    code = codes.new_code()
    assert codes.normalize(code) == code
    assert codes.normalize(display_code(code).lower()) == code
    assert codes.normalize(" ".join(display_code(code).split("-"))) == code


def test_lookalike_letters_are_read_as_digits():
    assert codes.normalize("O" * 28) == "0" * 28
    assert codes.normalize("Il" * 14) == "1" * 28


def test_wrong_lengths_and_symbols_are_not_codes():
    code = codes.new_code()
    assert codes.normalize(code[:-1]) is None
    assert codes.normalize(code + "0") is None
    assert codes.normalize(code[:-1] + "U") is None
    assert codes.normalize("") is None
    assert codes.normalize("../../etc/passwd") is None
