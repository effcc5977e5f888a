from sqlalchemy import func, select
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from ..extensions import db
from ..forms import BaseForm, strip_text
from ..models import MAX_CAPACITY, TicketType


class TicketTypeForm(BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)],
                       filters=[strip_text])
    capacity = IntegerField(
        "Capacity",
        validators=[InputRequired("Enter how many tickets of this type there are."),
                    NumberRange(0, MAX_CAPACITY,
                                f"Capacity must be between 0 and {MAX_CAPACITY:,}.")],
    )
    submit = SubmitField("Save ticket type")

    def __init__(self, *args, event, ticket_type: TicketType | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.ticket_type = ticket_type

    def validate_name(self, field):
        query = select(TicketType.id).where(
            TicketType.event_id == self.event.id,
            func.lower(TicketType.name) == field.data.lower(),
        )
        if self.ticket_type is not None:
            query = query.where(TicketType.id != self.ticket_type.id)
        if db.session.execute(query).first():
            self.conflict = True
            raise ValidationError("This event already has a ticket type with that name.")
