"""The rows with problems as a CSV file the organizer can fix and upload again."""
import csv
import io

from .parsing import FIELD_TITLES, FIELDS, FORMULA_STARTS
from .preview import Preview


def neutralise(cell: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def problems_csv(preview: Preview) -> str:
    """UTF-8 with a byte-order mark, so Excel opens names with accents correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([FIELD_TITLES[name] for name in FIELDS] + ["Row", "Problem"])
    for result in preview.problems:
        cells = [*result.row.values(), str(result.number),
                 f"{result.status.title}: {result.message}"]
        writer.writerow([neutralise(cell) for cell in cells])
    return "\ufeff" + buffer.getvalue()
