"""Query strings that once gave a 500 (found by the fuzzing suite) now get pages."""
import pytest


@pytest.mark.parametrize("path, status", [
    ("/events/{id}/tickets?type=9223372036854775808", 200),  # OverflowError on SQLite
    ("/events/{id}/tickets?type=-5", 200),
    ("/events/{id}/audit?user=99999999999999999999", 200),
    ("/events/{id}/audit?attendee=99999999999", 200),  # out of range on PostgreSQL
    ("/events/{id}/audit?attendee=%C2%B2", 200),  # "²" is a digit to str.isdigit
    ("/events/{id}/tickets?code=%00", 400),  # psycopg2 refuses NUL in a parameter
    ("/events/{id}/attendees?q=a&q=b%00", 400),
    ("/events/{id}/audit?attendee%00=x", 400),
])
def test_odd_query_strings_get_a_page(signed_in, event, general, path, status):
    response = signed_in.get(path.format(id=event.id))

    assert response.status_code == status
    if status == 400:
        assert "The address contains a NUL character" in response.get_data(as_text=True)
