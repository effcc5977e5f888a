from sqlalchemy import select
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..extensions import db
from ..forms import BaseForm, lower_email
from ..models import Event, EventMembership, User


class AddStaffForm(BaseForm):
    email = EmailField("Email", filters=[lower_email], validators=[
        DataRequired("Enter the person's email address."), Length(max=254),
        Email("Enter a valid email address, like name@example.org.")])
    submit = SubmitField("Add to check-in staff")

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def validate_email(self, field):
        role = db.session.execute(
            select(EventMembership.role).join(User, User.id == EventMembership.user_id)
            .where(EventMembership.event_id == self.event.id, User.email == field.data)
        ).scalar_one_or_none()
        if role is not None:
            self.conflict = True
            raise ValidationError(f"{field.data} already belongs to this event "
                                  f"({role.title.lower()}).")


class SetPasswordForm(BaseForm):
    password = PasswordField("New password", validators=[
        DataRequired("Choose a password."),
        Length(min=8, max=1000, message="Use at least 8 characters.")])
    confirm = PasswordField("Repeat the password", validators=[
        EqualTo("password", "The two passwords differ.")])
    submit = SubmitField("Set password")
