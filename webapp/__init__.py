"""AdmitOne: tickets that admit one person each, for organizers and door staff."""
import logging
import os

from flask import Flask
from werkzeug.routing import IntegerConverter

from .config import INSTANCE_PATH, Config, database_url, load_secret_key
from .extensions import csrf, db, login_manager, migrate

# PostgreSQL integers stop here; a larger id in a URL is simply not found,
# instead of a database error.
MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_PATH),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(INSTANCE_PATH)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        INSTANCE_PATH.mkdir(parents=True, exist_ok=True)

    configure_logging(app)
    app.url_map.converters["int"] = DatabaseIdConverter
    init_extensions(app)
    register_blueprints(app)

    from . import cli, web

    web.init_app(app)
    cli.init_app(app)
    return app


def configure_logging(app: Flask) -> None:
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    logging.getLogger("webapp").setLevel(level)


def init_extensions(app: Flask) -> None:
    from .database import configure_postgresql, configure_sqlite

    db.init_app(app)
    # SQLite cannot ALTER constraints in place; batch mode rebuilds the table.
    migrate.init_app(app, db, directory=str(INSTANCE_PATH.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    # "strong" would sign a desk phone out whenever it moves between Wi-Fi and
    # mobile data; "basic" still marks such a session as not fresh.
    login_manager.session_protection = "basic"

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_SECONDS"])
        elif db.engine.dialect.name == "postgresql":
            configure_postgresql(db.engine)


def register_blueprints(app: Flask) -> None:
    from .api.routes import bp as api_bp
    from .attendees.routes import bp as attendees_bp
    from .audit.routes import bp as audit_bp
    from .auth.routes import bp as auth_bp
    from .bulk.routes import bp as bulk_bp
    from .checkin.desk_tokens import bp as desk_tokens_bp
    from .checkin.printing import bp as printing_bp
    from .checkin.routes import bp as checkin_bp
    from .events.routes import bp as events_bp
    from .exports.routes import bp as exports_bp
    from .staff.routes import bp as staff_bp
    from .tickets.routes import bp as tickets_bp

    blueprints = (auth_bp, events_bp, tickets_bp, attendees_bp, bulk_bp, checkin_bp,
                  desk_tokens_bp, printing_bp, staff_bp, audit_bp, exports_bp, api_bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    # Scanner devices authenticate with a bearer token, not a session cookie.
    exempt = set(app.config.get("CSRF_EXEMPT_BLUEPRINTS", ()))
    app.config["CSRF_EXEMPT_BLUEPRINTS"] = exempt | {api_bp.name}
