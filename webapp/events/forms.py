from zoneinfo import available_timezones

from wtforms import DateTimeLocalField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from ..forms import BaseForm, strip_text

TIMEZONE_CHOICES = sorted(available_timezones() - {"localtime", "Factory"})


class EventForm(BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[strip_text])
    venue = StringField("Venue", validators=[Length(max=200)], filters=[strip_text])
    timezone = SelectField("Time zone", choices=TIMEZONE_CHOICES, default="UTC")
    starts_at = DateTimeLocalField("Starts", format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired("Enter a start date and time.")])
    ends_at = DateTimeLocalField("Ends", format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired("Enter an end date and time.")])
    submit = SubmitField("Save event")

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data < self.starts_at.data:
            raise ValidationError("The event must end after it starts.")
