"""The attendee list query: search, sort and paginate in a fixed number of queries."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import CheckIn, Event, Ticket, TicketHolder, TicketType
from ..tickets.codes import normalise_code

SORTS = {
    "name": (TicketHolder.last_name, TicketHolder.first_name),
    "email": (TicketHolder.email,),
    "code": (Ticket.code,),
    "type": (TicketType.name, TicketHolder.last_name),
    "assigned": (TicketHolder.created_at.desc(),),
}
MAX_SEARCH_LENGTH = 200


@dataclass
class AttendeePage:
    rows: list
    total: int
    page: int
    pages: int


def attendee_page(event: Event, *, search: str = "", sort: str = "name", page: int = 1,
                  per_page: int = 50) -> AttendeePage:
    """Return one page of holders with their ticket, type and active check-in."""
    search = search.replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]
    query = (
        select(TicketHolder, Ticket, TicketType.name, CheckIn)
        .join(Ticket, Ticket.id == TicketHolder.ticket_id)
        .join(TicketType, TicketType.id == Ticket.ticket_type_id)
        .outerjoin(CheckIn, (CheckIn.ticket_id == Ticket.id) & CheckIn.annulled_at.is_(None))
        .where(TicketHolder.event_id == event.id)
    )
    if search:
        # autoescape: a typed % or _ is searched for, not a wildcard.
        text = search.lower()
        code = normalise_code(search)
        conditions = [
            func.lower(TicketHolder.first_name + " " + TicketHolder.last_name)
            .contains(text, autoescape=True),
            func.lower(TicketHolder.last_name).contains(text, autoescape=True),
            TicketHolder.email.contains(text, autoescape=True),
        ]
        if code:
            conditions.append(Ticket.code.startswith(code, autoescape=True))
        query = query.where(or_(*conditions))

    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        query.order_by(*SORTS.get(sort, SORTS["name"]), TicketHolder.id)
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return AttendeePage(rows=rows, total=total, page=page, pages=pages)
