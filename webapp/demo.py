"""A realistic demo: one organizer, one conference, a few thousand tickets, most held."""
import random
import unicodedata
from datetime import datetime, timedelta

from faker import Faker
from sqlalchemy import insert, select

from .cli import create_user
from .events.services import create_event
from .extensions import db
from .models import Event, Ticket, TicketHolder, utcnow
from .tickets.services import create_ticket_type

DEMO_EMAIL = "organizer@example.org"
DEMO_PASSWORD = "admitone-demo"

# Share of all tickets, and share of those already held.
TICKET_MIX = [("General", 0.70, 0.85), ("Student", 0.20, 0.75), ("Speaker", 0.05, 0.90),
              ("Sponsor", 0.05, 0.60)]


def load_demo(total_tickets: int = 3000, seed: int = 2026) -> Event:
    fake = Faker(["en_GB", "de_DE", "fr_FR", "es_ES", "it_IT"])
    Faker.seed(seed)
    chooser = random.Random(seed)

    organizer = create_user(DEMO_EMAIL, DEMO_PASSWORD, name="Demo Organizer")
    starts = (datetime.now() + timedelta(days=30)).replace(hour=9, minute=0, second=0,
                                                           microsecond=0)
    event = create_event(organizer, name="PyCon Demo 2027", venue="Congress Centre, Hall B",
                         timezone="Europe/Berlin", starts_at=starts,
                         ends_at=starts + timedelta(days=2, hours=9))

    now = utcnow()
    used_emails: set[str] = set()
    for name, share, held_share in TICKET_MIX:
        ticket_type = create_ticket_type(event, name, max(1, int(total_tickets * share)))
        ticket_ids = db.session.execute(
            select(Ticket.id).where(Ticket.ticket_type_id == ticket_type.id).order_by(Ticket.id)
        ).scalars().all()
        holders = []
        for ticket_id in ticket_ids[: int(len(ticket_ids) * held_share)]:
            first, last = fake.first_name(), fake.last_name()
            email = unique_email(fake, chooser, first, last, used_emails)
            holders.append({"event_id": event.id, "ticket_id": ticket_id, "first_name": first,
                            "last_name": last, "email": email, "created_at": now,
                            "updated_at": now})
        db.session.execute(insert(TicketHolder), holders)
    db.session.commit()
    return event


def unique_email(fake: Faker, chooser: random.Random, first: str, last: str,
                 used: set[str]) -> str:
    # Mail addresses are mostly plain ASCII, even for names that are not.
    decomposed = unicodedata.normalize("NFKD", f"{first}.{last}")
    ascii_name = decomposed.encode("ascii", "ignore")
    base = ascii_name.decode().lower().replace(" ", "").replace("'", "")
    email = f"{base}@{fake.free_email_domain()}"
    while email in used:
        email = f"{base}{chooser.randint(2, 999)}@{fake.free_email_domain()}"
    used.add(email)
    return email
