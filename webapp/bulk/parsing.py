"""Turning what organizers bring (a file, pasted cells) into rows of four fields.

Spreadsheet programs save CSV in several ways: UTF-8 with a byte-order
mark (Excel), plain UTF-8, Windows-1252 (older Excel on Windows), with
commas, semicolons (locales with a decimal comma) or tabs (pasted cells).
We decode and sniff instead of asking the organizer which one it is.
"""
import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from ..errors import DomainError

FIELDS = ("ticket", "first_name", "last_name", "email")
FIELD_TITLES = {
    "ticket": "Ticket code or type",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
}
MAX_ROWS = 10_000
#: Cells starting with these run as formulas in spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = {"\t": "Tab", ";": "Semicolon", ",": "Comma"}
SNIFF_LINES = 50
#: Far above any name or email, far below the csv module's own limit, so
#: we, not the module, say what is wrong.
MAX_CELL_CHARS = 5_000
#: A quoted cell may hold a line break (an address), but not many of them.
MAX_LINE_BREAKS_IN_CELL = 3

#: Header words people use for each column, compared without case,
#: spaces or punctuation.
HEADER_NAMES = {
    "ticket": {"ticket", "ticketcode", "code", "tickettype", "type", "category",
               "ticketortype", "ticketcodeortype"},
    "first_name": {"firstname", "first", "givenname", "forename"},
    "last_name": {"lastname", "last", "surname", "familyname"},
    "email": {"email", "emailaddress", "mail", "e-mail"},
}
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass
class Table:
    """Cells read from a file or paste, before the columns are mapped."""

    rows: list[list[str]]
    delimiter: str
    blank_lines: int = 0
    width: int = 0
    header: list[str] | None = None


@dataclass
class RawRow:
    """One row of the batch: the four fields as the organizer gave them."""

    ticket: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""

    def values(self) -> tuple[str, str, str, str]:
        return (self.ticket, self.first_name, self.last_name, self.email)

    def is_blank(self) -> bool:
        return not any(value.strip() for value in self.values())


@dataclass
class Rows:
    rows: list[RawRow]
    blank_lines: int = 0
    notes: list[str] = field(default_factory=list)


class UnreadableInput(DomainError):
    def __init__(self, code: str, message: str, field: str = "upload"):
        super().__init__(code, message, field=field, status=422)


def decode_upload(data: bytes) -> str:
    """Return the text of an uploaded file, or say exactly why it is not text."""
    if not data.strip():
        raise UnreadableInput("empty_file", "The file is empty.")
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableInput(
            "not_csv", "This is a spreadsheet workbook (such as .xlsx), not a "
            "CSV file. Save it as \"CSV UTF-8\" in your spreadsheet program and "
            "upload that.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16", "UTF-16")
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[len(codecs.BOM_UTF8):], "utf-8", "UTF-8")
    if b"\x00" in data:
        raise UnreadableInput(
            "binary_file", "The file contains NUL bytes, so it is not a text (CSV) "
            "file. Save it as \"CSV UTF-8\" and upload that.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(data, "cp1252", "UTF-8 nor Windows-1252")


def _decode(data: bytes, encoding: str, tried: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        byte = data[error.start:error.start + 1].hex().upper()
        raise UnreadableInput(
            "undecodable_file",
            f"The file is not readable as {tried} text: byte 0x{byte} on line {line} "
            "does not fit. Save it as \"CSV UTF-8\" and upload again.") from error
    if "\x00" in text:
        raise UnreadableInput("binary_file", "The file contains NUL characters.")
    return text


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter that splits the first lines into the most even columns."""
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(io.StringIO(sample),
                                                     delimiter=delimiter)
                      if any(cell.strip() for cell in row)]
        except csv.Error:
            continue  # read_table says what is wrong, with the line
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        # The share of records of the usual width first: a wrong delimiter
        # inside quoted fields splits them into more, uneven records.
        score = (widths.count(common) / len(widths) if common > 1 else 0, common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_table(text: str, delimiter: str | None = None) -> Table:
    """Split text into cells; blank lines are counted, not kept."""
    delimiter = delimiter if delimiter in DELIMITERS else sniff_delimiter(text)
    rows, blank_lines = [], 0
    for cells in checked_records(text, delimiter):
        cells = [unprotect(cell.strip()) for cell in cells]
        if not any(cells):
            blank_lines += 1
            continue
        rows.append(cells)
        if len(rows) > MAX_ROWS + 1:  # one more for a possible header
            raise too_many_rows()
    width = max((len(row) for row in rows), default=0)
    table = Table(rows=rows, delimiter=delimiter, blank_lines=blank_lines, width=width)
    if rows and header_mapping(rows[0]):
        table.header = rows[0]
    elif len(rows) > MAX_ROWS:
        raise too_many_rows()
    return table


def checked_records(text: str, delimiter: str):
    """Yield the records of the text; refuse quotes that swallow rows, huge cells.

    One stray double quote makes a lenient reader take every following line
    into one cell: silently, or failing on the csv module's size limit. A
    strict reader fails where the quote goes wrong; a quote that happens to
    close is caught by what the cell holds.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        strict=True)
    first_line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise unreadable_record(first_line, reader.line_num, str(error)) from error
        for cell in cells:
            if swallows_rows(cell, delimiter):
                raise unclosed_quote(first_line, reader.line_num)
            if len(cell) > MAX_CELL_CHARS:
                raise cell_too_long(first_line)
        yield cells
        first_line = reader.line_num + 1


def swallows_rows(cell: str, delimiter: str) -> bool:
    """Whether a cell looks like several rows: many lines, or a row after a break."""
    lines = cell.splitlines()
    return (len(lines) > MAX_LINE_BREAKS_IN_CELL + 1
            or any(line.count(delimiter) >= 2 for line in lines[1:]))


def unreadable_record(first_line: int, last_line: int, reason: str) -> UnreadableInput:
    if last_line > first_line or "end of data" in reason:
        return unclosed_quote(first_line, last_line)
    if "field limit" in reason:
        return cell_too_long(first_line)
    return UnreadableInput(
        "stray_quote", f"Line {first_line} has a quote (\") in a cell that goes on "
        "after the quote closes. Write a quote inside a quoted cell as two quotes "
        "(\"\"), or remove it, and upload again.")


def unclosed_quote(first_line: int, last_line: int) -> UnreadableInput:
    where = (f"is not closed before line {last_line}, so those lines would be read "
             "as one cell" if last_line > first_line else "is never closed")
    return UnreadableInput(
        "unclosed_quote", f"Line {first_line} opens a quote (\") that {where}. "
        f"Remove the stray quote on line {first_line} or close it, and upload again.")


def cell_too_long(line: int) -> UnreadableInput:
    return UnreadableInput(
        "cell_too_long", f"Line {line} has a cell longer than {MAX_CELL_CHARS:,} "
        "characters. Names and emails are much shorter: check that this is the "
        "list of attendees.")


def unprotect(cell: str) -> str:
    """Undo the apostrophe our problem-rows export puts before formula characters."""
    if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS:
        return cell[1:]
    return cell


def column_labels(table: Table) -> list[str]:
    """Name each column by its header, or by a letter and a sample value."""
    labels = []
    for index in range(table.width):
        letter = chr(ord("A") + index) if index < 26 else str(index + 1)
        if table.header and index < len(table.header) and table.header[index]:
            labels.append(f"{letter}: {table.header[index][:40]}")
            continue
        first = table.rows[0] if table.rows else []
        sample = first[index][:30] if index < len(first) else ""
        labels.append(f"Column {letter}" + (f" (e.g. {sample})" if sample else ""))
    return labels


def too_many_rows() -> UnreadableInput:
    return UnreadableInput(
        "too_many_rows", f"A batch takes at most {MAX_ROWS:,} rows. Split the list "
        "into smaller parts and send them one after the other.")


def _header_key(cell: str) -> str:
    return _NOT_ALNUM.sub("", cell.lower())


def header_mapping(cells: list[str]) -> dict[str, int]:
    """Map fields to columns by header names; empty unless two or more match."""
    mapping = {}
    for index, cell in enumerate(cells):
        key = _header_key(cell)
        for name, words in HEADER_NAMES.items():
            if name not in mapping and key in {_header_key(w) for w in words}:
                mapping[name] = index
    return mapping if len(mapping) >= 2 else {}


def guess_mapping(table: Table) -> dict[str, int | None]:
    """Guess each field's column: from the header, else in the order of FIELDS."""
    if table.header:
        found = header_mapping(table.header)
        return {name: found.get(name) for name in FIELDS}
    return {name: (index if index < table.width else None)
            for index, name in enumerate(FIELDS)}


def map_rows(table: Table, mapping: dict[str, int | None], has_header: bool) -> Rows:
    """Apply a column mapping; columns not mapped are ignored."""
    source = table.rows[1:] if has_header else table.rows
    if len(source) > MAX_ROWS:
        raise too_many_rows()

    def cell(cells: list[str], index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    rows = [RawRow(*(cell(cells, mapping.get(name)) for name in FIELDS))
            for cells in source]
    if not rows:
        raise UnreadableInput("no_rows", "There are no rows below the header. "
                              "Nothing to assign.", field="paste")
    return Rows(rows=rows, blank_lines=table.blank_lines)


def rows_from_form(form, remove: int | None = None) -> Rows:
    """Read the form of rows: one list per field, in page order; empty rows left out.

    `remove` is the position of a row whose remove button was pressed.
    """
    columns = [form.getlist(name) for name in FIELDS]
    count = max(len(column) for column in columns)
    if count > MAX_ROWS + 50:  # a little room for empty rows the page added
        raise too_many_rows()
    columns = [column + [""] * (count - len(column)) for column in columns]
    rows, blank = [], 0
    for position, values in enumerate(zip(*columns)):
        if position == remove:
            continue
        row = RawRow(*(value.strip() for value in values))
        if row.is_blank():
            blank += 1
        else:
            rows.append(row)
    if len(rows) > MAX_ROWS:
        raise too_many_rows()
    return Rows(rows=rows, blank_lines=blank)
