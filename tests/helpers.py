"""Reading what a page shows, for assertions."""
import html
import re


def flashes(response) -> list[str]:
    """The flash messages shown on a page, as text."""
    page = response.get_data(as_text=True)
    return [html.unescape(m) for m in re.findall(r'<p class="flash[^"]*">(.*?)</p>', page, re.S)]


def field_errors(response) -> list[str]:
    page = response.get_data(as_text=True)
    return [html.unescape(m) for m in
            re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', page, re.S)]
