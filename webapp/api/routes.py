"""Scanner devices check tickets in with a desk token; answers are JSON:API."""
import logging
import re
from dataclasses import dataclass

from flask import Blueprint, request
from werkzeug.exceptions import RequestEntityTooLarge
from sqlalchemy import bindparam, select

from ..checkin import services
from ..checkin.tokens import hash_token
from ..extensions import db
from ..models import DeskToken, Event

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)

# A scan is a code and a request id; anything larger is not a scanner.
MAX_BODY_BYTES = 4096
MAX_TOKEN_LENGTH = 200
MAX_REQUEST_ID = 100
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


# Built once, and read as plain columns: the scan path is benchmarked.
TOKEN_LOOKUP = (
    select(DeskToken.id, DeskToken.desk_name, DeskToken.revoked_at,
           Event.id.label("event_id"), Event.timezone)
    .join(Event, Event.id == DeskToken.event_id)
    .where(DeskToken.token_hash == bindparam("token_hash"))
)


@dataclass(frozen=True)
class Desk:
    """The token's desk and the little of its event that a scan needs."""

    id: int
    desk_name: str
    event_id: int
    timezone: str


@dataclass(frozen=True)
class EventRef:
    id: int
    timezone: str


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, pointer: str | None = None,
                 headers: dict | None = None):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.pointer, self.headers = pointer, headers or {}

    def response(self):
        error = {"status": str(self.status), "code": self.code,
                 "title": self.code.replace("_", " ").capitalize(),
                 "detail": self.detail}
        if self.pointer is not None:
            error["source"] = {"pointer": self.pointer}
        return {"errors": [error]}, self.status, self.headers


@bp.errorhandler(ApiError)
def answer_api_error(error: ApiError):
    return error.response()


@bp.errorhandler(RequestEntityTooLarge)
def answer_body_too_large(_error: RequestEntityTooLarge):
    # The site-wide answer names the upload limits of the pages; a scanner
    # needs the API's own.
    return ApiError(413, "body_too_large", f"The body may be at most "
                    f"{MAX_BODY_BYTES:,} bytes: one JSON object with 'code' and "
                    "'request_id'. Nothing was saved.", "").response()


# TODO: fold the token lookup into the scan's lookup query (one round trip
# less); bench/scan_bench.py measures 0.35-0.39 of the one-UPDATE baseline,
# short of the 0.6 aimed for.
def authenticate(event_id: int) -> tuple[Desk, EventRef]:
    """Return the desk token and its event, or refuse with 401, 403 or 404."""
    challenge = {"WWW-Authenticate": 'Bearer realm="admitone"'}
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "token_missing", "Send the desk token as "
                       "'Authorization: Bearer <token>'.", headers=challenge)
    found = None
    if len(token) <= MAX_TOKEN_LENGTH:
        found = db.session.execute(
            TOKEN_LOOKUP, {"token_hash": hash_token(token)}).first()
    if found is None:
        raise ApiError(401, "token_invalid", "This desk token is not valid.",
                       headers=challenge)
    if found.revoked_at is not None:
        raise ApiError(403, "token_revoked", "This desk token was revoked by an "
                       "organizer. Ask for a new one.")
    if found.event_id != event_id:
        raise ApiError(404, "not_found", "There is no such event for this desk token.")
    return (Desk(found.id, found.desk_name, found.event_id, found.timezone),
            EventRef(found.event_id, found.timezone))


def text_member(payload: dict, name: str, max_length: int, *,
                required: bool) -> str | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ApiError(422, "invalid_" + name, f"'{name}' must be a non-empty string.",
                       f"/{name}")
    if len(value) > max_length or CONTROL_CHARACTERS.search(value):
        raise ApiError(422, "invalid_" + name, f"'{name}' must be at most {max_length} "
                       "characters, without control characters.", f"/{name}")
    return value


def read_scan_request() -> tuple[str, str | None]:
    request.max_content_length = MAX_BODY_BYTES
    payload = request.get_json(force=True, silent=True)
    if payload is None:
        raise ApiError(400, "malformed_json", "The body must be a JSON object such as "
                       '{"code": "ABCDE-23456", "request_id": "..."}.', "")
    if not isinstance(payload, dict):
        raise ApiError(422, "not_an_object", "The body must be a JSON object.", "")
    code = text_member(payload, "code", services.MAX_RAW_CODE, required=True)
    request_id = text_member(payload, "request_id", MAX_REQUEST_ID, required=False)
    return code, request_id


@bp.post("/events/<int:event_id>/check-ins")
def create_check_in(event_id: int):
    """Check a scanned code in for the token's desk; a repeated request id replays."""
    desk_token, event = authenticate(event_id)
    code, request_id = read_scan_request()
    answer = services.scan(event, code, desk_name=desk_token.desk_name,
                           desk_token=desk_token, request_id=request_id)
    if answer.replayed:
        log.info("desk token %s retried request %s", desk_token.id, request_id)
    return answer.as_document(), answer.status
