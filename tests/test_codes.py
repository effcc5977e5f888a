"""Ticket codes: unguessable, unambiguous, and forgiving when typed."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.tickets.codes import (
    ALPHABET,
    format_code,
    is_code,
    new_code,
    new_codes,
    normalise_code,
)


def test_alphabet_leaves_out_look_alikes():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("01OI") & set(ALPHABET)


def test_new_codes_are_distinct_and_well_formed():
    codes = new_codes(5000)

    assert len(set(codes)) == 5000
    assert all(len(code) == 10 and set(code) <= set(ALPHABET) for code in codes)


@given(st.text(alphabet=ALPHABET, min_size=10, max_size=10),
       st.sampled_from(["-", " ", "  ", ".", "_", "\t", "\x00", ""]))
def test_typed_code_normalises_back(code, separator):
    typed = f" {code[:5].lower()}{separator}{code[5:]} "

    assert normalise_code(typed) == code
    assert is_code(typed)


@pytest.mark.parametrize("text", ["", "ABCDE", "ABCDE-FGHJK2", "0BCDE-FGHJK",
                                  "ABCDE-FGHIK"])
def test_wrong_shapes_are_not_codes(text):
    assert not is_code(text)


def test_format_groups_in_fives():
    code = new_code()

    assert format_code(code) == f"{code[:5]}-{code[5:]}"
    assert format_code("SHORT") == "SHORT"
