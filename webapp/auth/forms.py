from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..forms import BaseForm, lower_email


class LoginForm(BaseForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)],
                       filters=[lower_email])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField("Sign in")


class LogoutForm(BaseForm):
    submit = SubmitField("Sign out")
