"""Reading real files and pastes: encodings, delimiters, quoting, mapping, limits."""
import csv
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.bulk import parsing
from webapp.bulk.exports import problems_csv
from webapp.bulk.parsing import RawRow, UnreadableInput, decode_upload, read_table
from webapp.bulk.results import Preview, RowResult, RowStatus
from webapp.tickets.codes import format_code

from .bulk_helpers import bulk_url, statuses
from .helpers import field_errors

HEADER = "Ticket code,First name,Last name,E-mail,Company\r\n"


@pytest.mark.parametrize("data, expected", [
    ("Zoë;Müller".encode("utf-8-sig"), "Zoë;Müller"),
    ("Zoë;Müller".encode("utf-8"), "Zoë;Müller"),
    ("Zoë;Müller €".encode("cp1252"), "Zoë;Müller €"),
    ("Zoë\tMüller".encode("utf-16"), "Zoë\tMüller"),
])
def test_decodes_what_spreadsheets_save(data, expected):
    assert decode_upload(data) == expected


@pytest.mark.parametrize("data, code, message", [
    (b"", "empty_file", "The file is empty."),
    (b"PK\x03\x04rest", "not_csv", "This is a spreadsheet workbook (such as .xlsx)"),
    (b"a,b\x00,c", "binary_file", "The file contains NUL bytes"),
    (b"name\nAd\x81a", "undecodable_file", "The file is not readable as UTF-8 nor "
     "Windows-1252 text: byte 0x81 on line 2 does not fit."),
    (b"\xef\xbb\xbfAd\xff", "undecodable_file", "The file is not readable as UTF-8 "
     "text: byte 0xFF on line 1 does not fit."),
])
def test_undecodable_files_say_why(data, code, message):
    with pytest.raises(UnreadableInput) as caught:
        decode_upload(data)

    assert caught.value.code == code
    assert caught.value.message.startswith(message)


@pytest.mark.parametrize("text, delimiter", [
    ("a,b,c\n1,2,3\n", ","),
    ("a;b;c\n1;2,5;3\n", ";"),
    ("a\tb, c\tc\n1\t2\t3\n", "\t"),
])
def test_sniffs_the_delimiter(text, delimiter):
    assert read_table(text).delimiter == delimiter


def test_quoted_newlines_blank_lines_spaces_and_header():
    text = ('Email;First name;Last name;Ticket type;Notes\r\n'
            '\r\n'
            ' ADA@Example.org ;"Ada";"Love\nlace";General;"says ""hi"""\r\n'
            ';;;;\r\n'
            'alan@example.org;Alan;Turing;General\r\n')

    table = read_table(text)
    rows = parsing.map_rows(table, parsing.guess_mapping(table), has_header=True)

    assert table.header[:4] == ["Email", "First name", "Last name", "Ticket type"]
    assert table.blank_lines == 2
    assert [row.values() for row in rows.rows] == [
        ("General", "Ada", "Love\nlace", "ADA@Example.org"),
        ("General", "Alan", "Turing", "alan@example.org"),
    ]


def test_without_header_columns_are_taken_in_order():
    table = read_table("General,Ada,Lovelace,ada@example.org\n")

    assert table.header is None
    assert parsing.guess_mapping(table) == {
        "ticket": 0, "first_name": 1, "last_name": 2, "email": 3}


def test_more_than_ten_thousand_rows_is_refused():
    text = "General,Ada,Lovelace,ada@example.org\n" * (parsing.MAX_ROWS + 1)

    with pytest.raises(UnreadableInput) as caught:
        read_table(text)

    assert caught.value.message.startswith("A batch takes at most 10,000 rows.")


def upload(client, event, data: bytes, name="attendees.csv"):
    return client.post_form(bulk_url(event, "read"), {
        "upload": (io.BytesIO(data), name), "paste": ""},
        content_type="multipart/form-data")


def mapping_data(page: str) -> dict:
    """What the mapping page would send back with its guessed choices."""
    text = re.search(r'<textarea name="source_text" hidden aria-hidden="true">\n(.*?)'
                     r'</textarea>', page, re.S).group(1)
    import html

    data = {"source_text": html.unescape(text), "source_name": "attendees.csv"}
    data["delimiter"] = re.search(r'<option selected value="([^"]*)"', page).group(1) \
        if 'selected value' in page else ","
    for name in ("ticket", "first_name", "last_name", "email"):
        select = re.search(rf'<select id="{name}" name="{name}">(.*?)</select>',
                           page, re.S).group(1)
        data[name] = re.search(r'<option selected value="(-?\d+)"', select).group(1)
    if re.search(r'id="has_header" name="has_header" type="checkbox" value="y" checked',
                 page) or 'checked id="has_header"' in page:
        data["has_header"] = "y"
    return data


def test_windows_1252_semicolon_file_maps_and_previews(app, signed_in, event, general,
                                                       tickets_of):
    code = format_code(tickets_of(general)[0].code)
    data = (f"Nachname;Vorname;E-mail;Ticket code;Firma\r\n"
            f"Müller ;Zoë;ZOE@Example.org;{code};ACME\r\n\r\n").encode("cp1252")
    data = data.replace(b"Nachname;Vorname", b"Last name;First name")

    mapping = upload(signed_in, event, data)
    page = mapping.get_data(as_text=True)
    form = mapping_data(page)
    previewed = signed_in.post_form(bulk_url(event, "map"), form,
                                    content_type="multipart/form-data")

    assert mapping.status_code == 200
    assert ("Read 2 rows (the first looks like a header) with 5 columns from "
            "attendees.csv; 1 blank line skipped.") in page
    assert form["ticket"] == "3" and form["email"] == "2" and form["last_name"] == "0"
    assert previewed.status_code == 200
    assert statuses(previewed) == [("assign", f"Will get ticket {code} (General).")]
    assert "1 row: 1 will be assigned, 0 unchanged, 0 with problems; 1 blank line " \
        "skipped." in previewed.get_data(as_text=True)
    assert 'value="Müller"' in previewed.get_data(as_text=True)
    assert 'value="zoe@example.org"' in previewed.get_data(as_text=True)


def test_undecodable_upload_comes_back_with_the_reason(app, signed_in, event, general):
    response = upload(signed_in, event, b"Ticket,First\nGeneral,Ad\x81\x8d\n")

    assert response.status_code == 422
    assert field_errors(response) == [
        "The file is not readable as UTF-8 nor Windows-1252 text: byte 0x81 on line 2 "
        "does not fit. Save it as \"CSV UTF-8\" and upload again."]


def test_pasted_tab_cells_reach_the_mapping_step(app, signed_in, event, general):
    response = signed_in.post_form(bulk_url(event, "read"), {
        "paste": "General\tAda\tLovelace\tada@example.org\nGeneral\tAlan\tTuring\t"
                 "alan@example.org\n"}, content_type="multipart/form-data")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Read 2 rows with 4 columns from pasted cells" in page
    assert mapping_data(page)["delimiter"] == "\t"


def test_nothing_pasted_or_uploaded_is_refused_on_the_field(app, signed_in, event):
    response = signed_in.post_form(bulk_url(event, "read"), {"paste": "  "},
                                   content_type="multipart/form-data")

    assert response.status_code == 422
    assert field_errors(response) == ["Paste some rows or choose a file."]


def test_over_ten_thousand_pasted_rows_get_a_clear_message(app, signed_in, event):
    paste = "General,Ada,Lovelace,ada@example.org\n" * 10_001

    response = signed_in.post_form(bulk_url(event, "read"), {"paste": paste},
                                   content_type="multipart/form-data")

    assert response.status_code == 422
    assert field_errors(response) == [
        "A batch takes at most 10,000 rows. Split the list into smaller parts and send "
        "them one after the other."]


# Cells that look like rows swallowed by a stray quote are refused on
# purpose (tests/test_bulk_quotes.py); every other cell must read back.
cell_text = st.text(alphabet="abcXYZ09 é,;\"'\n\t=-+@", max_size=12).map(str.strip) \
    .filter(lambda cell: not cell.startswith("'")) \
    .filter(lambda cell: not any(parsing.swallows_rows(cell, delimiter)
                                 for delimiter in parsing.DELIMITERS))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(cell_text, cell_text, cell_text, cell_text)
                .filter(lambda row: any(row)), min_size=1, max_size=8))
def test_problem_rows_export_reads_back_as_the_same_rows(rows):
    results = [RowResult(number, RawRow(*row), RowStatus.INVALID, "fix me")
               for number, row in enumerate(rows, start=1)]
    exported = problems_csv(Preview(results))

    table = read_table(decode_upload(exported.encode("utf-8")))
    read_back = parsing.map_rows(table, parsing.guess_mapping(table), has_header=True)

    assert [row.values() for row in read_back.rows] == rows


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "utf-8-sig"]),
       st.lists(st.tuples(cell_text, cell_text, cell_text, cell_text)
                .filter(lambda row: any(row)), min_size=1, max_size=8))
def test_any_delimiter_and_quoting_reads_back(delimiter, encoding, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["Ticket", "First name", "Last name", "Email"])
    writer.writerows(rows)

    table = read_table(decode_upload(buffer.getvalue().encode(encoding)))
    read_back = parsing.map_rows(table, parsing.guess_mapping(table), has_header=True)

    assert table.delimiter == delimiter
    assert [row.values() for row in read_back.rows] == rows


def test_header_without_rows_says_so(app, signed_in, event, general):
    form = {"source_text": "Ticket,First name,Last name,Email\r\n\r\n",
            "source_name": "empty.csv", "delimiter": ",", "has_header": "y",
            "ticket": "0", "first_name": "1", "last_name": "2", "email": "3"}

    response = signed_in.post_form(bulk_url(event, "map"), form,
                                   content_type="multipart/form-data")

    assert response.status_code == 422
    assert field_errors(response) == [
        "There are no rows below the header. Nothing to assign."]


def test_reading_again_with_the_chosen_delimiter_guesses_anew(app, signed_in, event):
    form = {"source_text": "Email;Ticket;First name;Last name\r\na@example.org;General;"
                           "Ada;Lovelace\r\n",
            "source_name": "a.csv", "delimiter": ";", "reread": "1",
            "ticket": "0", "first_name": "-1", "last_name": "-1", "email": "-1"}

    response = signed_in.post_form(bulk_url(event, "map"), form,
                                   content_type="multipart/form-data")
    forged = signed_in.post_form(bulk_url(event, "map"), {**form, "csrf_token": "x"},
                                 content_type="multipart/form-data")

    assert response.status_code == 200
    guessed = mapping_data(response.get_data(as_text=True))
    assert (guessed["delimiter"], guessed["email"], guessed["ticket"]) \
        == (";", "0", "1")
    assert forged.status_code == 400
