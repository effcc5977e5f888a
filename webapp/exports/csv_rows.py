"""CSV text that spreadsheet programs open correctly and never run as formulas."""
import csv
import io
from collections.abc import Iterable, Iterator

#: Excel reads UTF-8 only when the file starts with a byte order mark.
BYTE_ORDER_MARK = "\ufeff"
#: A cell starting with one of these is a formula (or becomes one) in Excel,
#: LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 500


def neutralise(value) -> str:
    """Make a cell inert: a leading apostrophe shows the text as typed."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """Yield the CSV text a few hundred rows at a time, byte order mark first."""
    yield BYTE_ORDER_MARK
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow([neutralise(value) for value in row])
        if number % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
