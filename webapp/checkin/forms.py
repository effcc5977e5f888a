from wtforms import HiddenField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..forms import BaseForm, strip_text


class DeskNameForm(BaseForm):
    desk_name = StringField(
        "Desk name", filters=[strip_text],
        validators=[DataRequired("Name this desk, e.g. “North door”."),
                    Length(max=100)],
        description="Shown with every check-in made here.")
    submit = SubmitField("Open the desk")


class ScanForm(BaseForm):
    q = StringField("Scan a ticket code, or type a name or email", filters=[strip_text],
                    validators=[DataRequired("Scan a code or type a name."),
                                Length(max=200)])
    submit = SubmitField("Check in / search")


class UndoForm(BaseForm):
    check_in_id = IntegerField(validators=[InputRequired(), NumberRange(1, 2**31 - 1)])
    #: Where to go back to: the desk, or the organizer's list.
    back = HiddenField()
    submit = SubmitField("Undo")


class DeskTokenForm(BaseForm):
    desk_name = StringField(
        "Desk name", filters=[strip_text],
        validators=[DataRequired("Name the desk this token is for."), Length(max=100)])
    submit = SubmitField("Create token")
