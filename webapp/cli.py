"""Command-line tasks: `flask create-user` and `flask demo`."""
import os

import click
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .models import User


def create_user(email: str, password: str, name: str = "") -> User:
    user = User(email=email.strip().lower(), name=name)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def init_app(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--name", default="", help="Shown in the audit trail.")
    def create_user_command(email: str, name: str):
        """Create an organizer account. The password comes from ADMITONE_PASSWORD or a prompt."""
        password = os.environ.get("ADMITONE_PASSWORD") or click.prompt(
            "Password", hide_input=True, confirmation_prompt=True)
        if len(password) < 8:
            raise click.ClickException("The password must have at least 8 characters.")
        try:
            user = create_user(email, password, name)
        except IntegrityError:
            db.session.rollback()
            raise click.ClickException(f"An account for {email} already exists.")
        click.echo(f"Created user {user.email} (id {user.id}).")

    @app.cli.command("demo")
    @click.option("--tickets", default=3000, show_default=True,
                  help="About how many tickets the demo event gets.")
    def demo_command(tickets: int):
        """Load a demo organizer and a realistic demo event, once."""
        from .demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo

        if db.session.execute(select(User).where(User.email == DEMO_EMAIL)).scalar():
            click.echo("Demo data is already loaded.")
        else:
            event = load_demo(total_tickets=tickets)
            click.echo(f"Loaded demo event “{event.name}”.")
        click.echo(f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
