"""A stray quote or a huge cell in a file: a refusal naming the line, never a 500."""
import io

import pytest

from webapp.bulk import parsing

from .bulk_helpers import bulk_url, holder_count
from .helpers import field_errors

HEADER = "Ticket,First name,Last name,Email\n"
STRAY_QUOTE = 'General,Jane,"JJ Doe,jj@example.org\n'


def normal_rows(count: int) -> str:
    return "".join(f"General,Ada,Lovelace{n},ada{n}@example.org\n"
                   for n in range(count))


def upload(client, event, text: str):
    return client.post_form(bulk_url(event, "read"), {
        "upload": (io.BytesIO(text.encode()), "attendees.csv"), "paste": ""},
        content_type="multipart/form-data")


def unclosed(first: int, last: int) -> str:
    return (f"Line {first} opens a quote (\") that is not closed before line {last}, "
            "so those lines would be read as one cell. Remove the stray quote on "
            f"line {first} or close it, and upload again.")


def too_long(line: int) -> str:
    return (f"Line {line} has a cell longer than 5,000 characters. Names and emails "
            "are much shorter: check that this is the list of attendees.")


@pytest.mark.parametrize("after, last_line", [(20, 22), (1, 3)])
def test_stray_quote_is_refused_naming_its_line(app, signed_in, event, general, after,
                                                last_line):
    response = upload(signed_in, event, HEADER + STRAY_QUOTE + normal_rows(after))

    assert response.status_code == 422
    assert field_errors(response) == [unclosed(2, last_line)]
    assert holder_count(app) == 0


def test_stray_quote_past_the_csv_size_limit_names_where_reading_stopped(
        app, signed_in, event, general):
    # The swallowed cell passes the csv module's 131,072 characters
    # before the end of the file: this was a 500.
    response = upload(signed_in, event, HEADER + STRAY_QUOTE + normal_rows(5000))

    assert response.status_code == 422
    [message] = field_errors(response)
    assert message.startswith("Line 2 opens a quote (\") that is not closed before "
                              "line ")
    assert int(message.split("before line ")[1].split(",")[0]) < 5002


def test_single_line_file_of_200_kb_is_refused(app, signed_in, event):
    response = upload(signed_in, event, "x" * 200_000)

    assert response.status_code == 422
    assert field_errors(response) == [too_long(1)]


def test_pasted_5_mb_cell_is_refused(app, signed_in, event):
    response = signed_in.post_form(bulk_url(event, "read"), {
        "paste": HEADER + "General,Ada," + "L" * 5_000_000 + ",ada@example.org\n"},
        content_type="multipart/form-data")

    assert response.status_code == 422
    assert field_errors(response) == [too_long(2)]


def test_cell_just_over_the_cap_is_refused_and_at_the_cap_read():
    at_cap = "General,Ada," + "L" * 5_000 + ",ada@example.org\n"
    over = "General,Ada," + "L" * 5_001 + ",ada@example.org\n"

    assert parsing.read_table(at_cap).rows[0][2] == "L" * 5_000
    with pytest.raises(parsing.UnreadableInput) as refused:
        parsing.read_table(HEADER + over)
    assert refused.value.message == too_long(2)


def test_quoted_cell_with_an_address_line_break_is_kept():
    text = HEADER + 'General,Ada,"Lovelace\nof Ockham",ada@example.org\n' + \
        normal_rows(2)

    table = parsing.read_table(text)

    assert len(table.rows) == 4
    assert table.rows[1] == ["General", "Ada", "Lovelace\nof Ockham", "ada@example.org"]


def test_quoted_cell_with_many_line_breaks_is_refused():
    text = HEADER + 'General,Ada,"a\nb\nc\nd\ne",ada@example.org\n'

    with pytest.raises(parsing.UnreadableInput) as refused:
        parsing.read_table(text)

    assert refused.value.code == "unclosed_quote"
    assert refused.value.message == unclosed(2, 6)


def test_mapping_step_refuses_the_same_text_again(app, signed_in, event, general):
    text = HEADER + STRAY_QUOTE + normal_rows(20)

    response = signed_in.post_form(bulk_url(event, "map"), {
        "source_text": text, "source_name": "a.csv", "delimiter": ",",
        "has_header": "y", "ticket": "0", "first_name": "1", "last_name": "2",
        "email": "3"})

    assert response.status_code == 422
    assert field_errors(response) == [unclosed(2, 22)]


def test_stray_quote_closed_by_a_later_quoted_cell_is_refused():
    text = HEADER + STRAY_QUOTE + 'General,Bob,"Smith, Jr.",bob@example.org\n'

    with pytest.raises(parsing.UnreadableInput) as refused:
        parsing.read_table(text)

    assert refused.value.message == unclosed(2, 3)


def test_text_after_a_closing_quote_is_refused_naming_the_line():
    with pytest.raises(parsing.UnreadableInput) as refused:
        parsing.read_table(HEADER + 'General,"Ada"Lovelace,L,ada@example.org\n')

    assert refused.value.message == (
        "Line 2 has a quote (\") in a cell that goes on after the quote closes. Write "
        "a quote inside a quoted cell as two quotes (\"\"), or remove it, and upload "
        "again.")


def test_quote_on_the_last_line_that_never_closes_is_refused():
    with pytest.raises(parsing.UnreadableInput) as refused:
        parsing.read_table(HEADER + 'General,Ada,"Lovelace,ada@example.org')

    assert refused.value.message == (
        "Line 2 opens a quote (\") that is never closed. Remove the stray quote on "
        "line 2 or close it, and upload again.")


def test_quote_inside_an_unquoted_cell_is_kept():
    table = parsing.read_table(HEADER + 'General,Jane "JJ",Doe,jj@example.org\n')

    assert table.rows[1] == ["General", 'Jane "JJ"', "Doe", "jj@example.org"]
