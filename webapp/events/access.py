"""The one way views load an event: checked against the signed-in user."""
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Event, EventMembership, Role


def membership_for(event_id: int) -> EventMembership | None:
    if not current_user.is_authenticated:
        return None
    return db.session.execute(
        select(EventMembership).where(
            EventMembership.event_id == event_id,
            EventMembership.user_id == current_user.id,
        )
    ).scalar_one_or_none()


def load_event(event_id: int, *, role: Role = Role.ORGANIZER) -> Event:
    """Return the event if the current user may act in it with `role`, else 404.

    Organizers may do everything staff may. Anyone else gets 404, never
    403, so another organizer's ids do not even confirm an event exists.
    """
    membership = membership_for(event_id)
    if membership is None:
        abort(404)
    if role is Role.ORGANIZER and membership.role is not Role.ORGANIZER:
        abort(404)
    return membership.event


def is_organizer(event: Event) -> bool:
    membership = membership_for(event.id)
    return membership is not None and membership.role is Role.ORGANIZER
