"""Ticket codes: random, unguessable, and easy to read aloud or type.

The alphabet leaves out 0/O and 1/I, which people confuse. Ten characters
from 32 give 50 bits: guessing one valid code among 100,000 tickets takes
about 10^10 tries on average.
"""
import re
import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
GROUP = 5
_SEPARATORS = re.compile(r"[\s\-_.\x00]+")  # NUL: PostgreSQL refuses it
_VALID = re.compile(f"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_codes(count: int) -> list[str]:
    """Return `count` distinct codes; the database's unique index is the backstop."""
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_code())
    return list(codes)


def normalise_code(text: str) -> str:
    """Upper-case and drop the separators people and scanners add."""
    return _SEPARATORS.sub("", text or "").upper()


def is_code(text: str) -> bool:
    """Whether text, once normalised, has the shape of a full ticket code."""
    return bool(_VALID.match(normalise_code(text)))


def format_code(code: str) -> str:
    return f"{code[:GROUP]}-{code[GROUP:]}" if len(code) == CODE_LENGTH else code
