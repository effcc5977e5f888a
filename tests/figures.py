"""Figures the adversarial suites count, printed in the run's closing summary."""
from collections import Counter

FIGURES: Counter = Counter()
#: (method, rule) pairs the access matrix tried, counted once across databases.
MATRIX_ROUTES: set[tuple[str, str]] = set()
ORDER = ("routes in matrix", "requests", "generated inputs", "faults injected",
         "5xx", "lost rows")


def count(name: str, amount: int = 1) -> None:
    FIGURES[name] += amount


def note_status(status: int, *, database_down: bool = False) -> None:
    """Count one request and, if the server failed, one 5xx.

    A 503 while a test holds the database down is the answer we want, and
    is counted apart from the 5xx that must stay at zero.
    """
    FIGURES["requests"] += 1
    if database_down and status == 503:
        FIGURES["503 while the database was down"] += 1
    elif status >= 500:
        FIGURES["5xx"] += 1


def summary_line() -> str | None:
    if not FIGURES and not MATRIX_ROUTES:
        return None
    FIGURES["routes in matrix"] = len(MATRIX_ROUTES)
    names = [*ORDER, *sorted(set(FIGURES) - set(ORDER))]
    figures = ", ".join(f"{name} {FIGURES[name]}" for name in names)
    return f"AdmitOne trust figures: {figures}"
