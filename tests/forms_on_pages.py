"""Finding the pages and forms of the running app, the way a browser sees them."""
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

SKIPPED_INPUT_TYPES = {"button", "reset", "image"}


@dataclass
class Field:
    name: str
    kind: str  # text, email, number, select, textarea, hidden, file, submit, ...
    value: str = ""
    options: list[str] = field(default_factory=list)

    @property
    def is_csrf(self) -> bool:
        return self.name.endswith("csrf_token")


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    @property
    def shape(self) -> tuple:
        """The same form on another row's page has the same shape."""
        return (self.method, re.sub(r"\d+", "N", self.action),
                tuple(f.name for f in self.fields))

    @property
    def user_fields(self) -> list[Field]:
        return [f for f in self.fields if not f.is_csrf and f.kind != "submit"]


class PageParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.select: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        form = self.forms[-1] if self.forms else None
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.page_url, attrs["href"]))
        elif tag == "form":
            action = urljoin(self.page_url, attrs.get("action") or "")
            self.forms.append(Form(page=self.page_url, action=action,
                                   method=(attrs.get("method") or "get").upper()))
        elif tag == "input" and form and attrs.get("name"):
            kind = attrs.get("type", "text").lower()
            if kind not in SKIPPED_INPUT_TYPES:
                form.fields.append(Field(attrs["name"], kind, attrs.get("value", "")))
        elif tag == "textarea" and form and attrs.get("name"):
            form.fields.append(Field(attrs["name"], "textarea"))
        elif tag == "select" and form and attrs.get("name"):
            self.select = Field(attrs["name"], "select")
            form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self.select.options.append(attrs.get("value", ""))
        elif tag == "button" and form and attrs.get("name"):
            form.fields.append(Field(attrs["name"], "submit", attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


def page_key(path: str) -> str:
    """One page per kind: /events/3/attendees/17 stands for every holder's page."""
    return re.sub(r"\d+", "N", urlsplit(path).path)


def crawl(get, start: str = "/", limit: int = 60) -> tuple[list[str], list[Form]]:
    """Visit every kind of page reachable by links; return the pages and their forms.

    `get(path)` returns (status, content type, text).
    """
    queue, seen, pages, forms, shapes = deque([start]), {page_key(start)}, [], [], set()
    while queue and len(pages) < limit:
        path = queue.popleft()
        status, content_type, text = get(path)
        pages.append(path)
        if status != 200 or not content_type.startswith("text/html"):
            continue
        parser = PageParser(f"http://localhost{path}")
        parser.feed(text)
        for form in parser.forms:
            if form.shape not in shapes:
                shapes.add(form.shape)
                forms.append(form)
        for link in parser.links:
            parts = urlsplit(link)
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.netloc == "localhost" and not parts.path.startswith("/static/") \
                    and page_key(local) not in seen:
                seen.add(page_key(local))
                queue.append(local)
    return pages, forms


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
