"""Requests over the size limits get a page that names the limit, never a bare 413."""
import io

from .bulk_helpers import bulk_url, holder_count, rows_data
from .helpers import field_errors

MB = 1024 * 1024


def test_body_over_the_content_limit_names_it(app, signed_in, event):
    response = signed_in.post_form(bulk_url(event, "check"),
                                   {"ticket": "x" * (9 * MB)})

    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than this site accepts (8 MB in all). Nothing was saved." in page
    assert "a bulk batch takes at most 10,000 rows" in page


def test_multipart_field_over_the_memory_limit_names_it(app, signed_in, event):
    response = signed_in.post_form(bulk_url(event, "read"), {"paste": "a" * (7 * MB)},
                                   content_type="multipart/form-data")

    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "(6 MB in one field and 1,000 fields per form)" in page


def test_multipart_with_too_many_parts_names_the_limit(app, signed_in, event):
    data = {f"field{n}": "x" for n in range(1_100)}
    data["upload"] = (io.BytesIO(b"General,Ada,Lovelace,ada@example.org"), "a.csv")

    response = signed_in.post_form(bulk_url(event, "read"), data,
                                   content_type="multipart/form-data")

    assert response.status_code == 413
    assert "1,000 fields per form" in response.get_data(as_text=True)


def test_ten_thousand_rows_fit_and_one_more_is_refused_clearly(app, signed_in, event,
                                                              general):
    row = ("General", "Ada", "Lovelace", "ada@example.org")

    response = signed_in.post_form(bulk_url(event, "check"), rows_data([row] * 10_001))

    assert response.status_code == 422
    assert field_errors(response) == [
        "A batch takes at most 10,000 rows. Split the list into smaller parts and send "
        "them one after the other."]
    assert holder_count(app) == 0


def test_upload_over_the_file_limit_is_refused_on_the_field(app, signed_in, event):
    data = b"General,Ada,Lovelace,ada@example.org\n" * (5 * MB // 37 + 10)

    response = signed_in.post_form(bulk_url(event, "read"), {
        "upload": (io.BytesIO(data), "big.csv"), "paste": ""},
        content_type="multipart/form-data")

    assert response.status_code == 422
    assert field_errors(response)[0].startswith("The file is larger than 5 MB.")
