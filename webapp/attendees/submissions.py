"""One assign form, one assignment: sent forms are remembered by their token."""
import secrets

from sqlalchemy import select

from ..extensions import db
from ..models import AssignSubmission, Event, TicketHolder

TOKEN_CONSTRAINT = "uq_assign_submissions_token"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def earlier_submission(event: Event, token: str | None) -> AssignSubmission | None:
    """The saved submission of this form, if it was sent before."""
    if not token:
        return None
    return db.session.execute(
        select(AssignSubmission).where(AssignSubmission.token == token,
                                       AssignSubmission.event_id == event.id)
    ).scalar_one_or_none()


def claim(event: Event, token: str | None) -> AssignSubmission | None:
    """Insert the token first: a concurrent resend waits on it, then collides."""
    if not token:
        return None
    submission = AssignSubmission(event_id=event.id, token=token)
    db.session.add(submission)
    db.session.flush()
    return submission


def holder_of(submission: AssignSubmission) -> TicketHolder | None:
    if submission.holder_id is None:
        return None
    return db.session.get(TicketHolder, submission.holder_id)
