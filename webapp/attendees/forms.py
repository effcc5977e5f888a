"""Forms for assigning, editing and moving ticket holders.

The validators here are the first layer of the one-holder rule: they look
up who holds a ticket before anything is written, and say so on the field.
The database's unique constraint is the backstop when two people race.
"""
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..extensions import db
from ..forms import BaseForm, lower_email, strip_text
from ..models import Event, Ticket, TicketHolder, TicketType
from ..models.holder import EMAIL_LENGTH, NAME_LENGTH
from ..tickets.codes import format_code, normalise_code
from .services import active_check_in, checked_in_message


class HolderDetailsForm(BaseForm):
    first_name = StringField("First name", filters=[strip_text], validators=[
        DataRequired("Enter a first name."), Length(max=NAME_LENGTH)])
    last_name = StringField("Last name", filters=[strip_text], validators=[
        DataRequired("Enter a last name."), Length(max=NAME_LENGTH)])
    email = EmailField("Email", filters=[lower_email], validators=[
        DataRequired("Enter an email address."), Length(max=EMAIL_LENGTH),
        Email("Enter a valid email address, like name@example.org.")])
    submit = SubmitField("Save attendee")

    def __init__(self, *args, event: Event, holder: TicketHolder | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.holder = holder


def choice_id(value) -> int:
    """Coerce a submitted id; anything that is not a number matches no choice."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class TicketTypeField(SelectField):
    def pre_validate(self, form):
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError("Choose one of this event's ticket types.")


class TicketChoiceMixin:
    """A ticket given by code, or the next free ticket of a chosen type.

    After validation, `self.ticket` is the chosen ticket when a code was
    given; for a type, the service picks the free ticket at write time.
    """

    ticket_code = StringField("Ticket code", filters=[strip_text],
                              validators=[Length(max=40)],
                              description="Leave empty to take the next free ticket of the type.")
    ticket_type = TicketTypeField("Ticket type", coerce=choice_id, validators=[Optional()])

    ticket: Ticket | None = None
    #: The person holding the requested ticket, when that is the problem.
    conflicting_holder: TicketHolder | None = None

    def load_type_choices(self) -> None:
        types = db.session.execute(
            select(TicketType.id, TicketType.name)
            .where(TicketType.event_id == self.event.id).order_by(TicketType.name)
        ).all()
        self.ticket_type.choices = [(0, "— choose by code instead —")] + [
            (type_id, name) for type_id, name in types]

    def validate_ticket_code(self, field):
        if not field.data:
            if not self.ticket_type.data:
                raise ValidationError("Enter a ticket code or choose a ticket type.")
            return
        code = normalise_code(field.data)
        ticket = db.session.execute(
            select(Ticket).where(Ticket.code == code)
        ).scalar_one_or_none()
        if ticket is None:
            raise ValidationError(f"No ticket has the code {field.data}. Check it and try again.")
        if ticket.event_id != self.event.id:
            raise ValidationError(f"Ticket {format_code(code)} belongs to another event.")
        if ticket.voided_at is not None:
            raise ValidationError(f"Ticket {format_code(code)} is voided.")
        holder = db.session.execute(
            select(TicketHolder).where(TicketHolder.ticket_id == ticket.id)
        ).scalar_one_or_none()
        if holder is not None and holder.id != getattr(self.holder, "id", None):
            self.conflict = True
            self.conflicting_holder = holder
            raise ValidationError(
                f"Ticket {format_code(code)} is already held by {holder.full_name}.")
        self.ticket = ticket

    def validate_ticket_type(self, field):
        if self.ticket_code.data or not field.data or field.errors:
            return
        free = db.session.execute(
            select(func.count()).select_from(Ticket)
            .outerjoin(TicketHolder, TicketHolder.ticket_id == Ticket.id)
            .where(Ticket.ticket_type_id == field.data, Ticket.event_id == self.event.id,
                   Ticket.voided_at.is_(None), TicketHolder.id.is_(None))
        ).scalar_one()
        if free == 0:
            self.conflict = True
            raise ValidationError("No free ticket of this type is left. Raise its capacity "
                                  "or choose another type.")


class AssignForm(TicketChoiceMixin, HolderDetailsForm):
    #: One-time token: the same form sent twice assigns once (see submissions.py).
    submission = HiddenField(validators=[Length(max=64)])
    same_email_ok = BooleanField("Assign anyway: this person may hold several tickets")
    submit = SubmitField("Assign ticket")

    #: Whether the email warning was shown, so the checkbox is offered.
    email_warned = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.load_type_choices()

    def validate_email(self, field):
        """Warn when the email already holds a ticket here, like the bulk page."""
        if self.same_email_ok.data or not field.data:
            return
        found = db.session.execute(
            select(TicketHolder, Ticket.code)
            .join(Ticket, Ticket.id == TicketHolder.ticket_id)
            .where(TicketHolder.event_id == self.event.id,
                   TicketHolder.email == field.data)
            .order_by(TicketHolder.id).limit(1)
        ).first()
        if found is None:
            return
        holder, code = found
        self.email_warned = True
        self.conflict = True
        raise ValidationError(
            f"{field.data} already holds ticket {format_code(code)} "
            f"({holder.full_name}) in this event. Tick “Assign anyway” below "
            "to give them another ticket.")


class MoveForm(TicketChoiceMixin, BaseForm):
    submit = SubmitField("Move to this ticket")

    def __init__(self, *args, event: Event, holder: TicketHolder, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.holder = holder
        self.load_type_choices()

    def validate(self, extra_validators=None) -> bool:
        """Refuse to move a checked-in holder, on the ticket field, first."""
        valid = super().validate(extra_validators)
        found = active_check_in(self.holder.ticket_id)
        if found is None:
            return valid
        check_in, by = found
        self.conflict = True
        self.ticket_code.errors = [
            *self.ticket_code.errors,
            checked_in_message(self.holder.full_name, check_in, by, self.event)]
        self._errors = None  # WTForms caches form.errors
        return False
