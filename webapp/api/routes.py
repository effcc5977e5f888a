"""Scanner devices check tickets in with a desk token; answers are JSON:API."""
import logging
import re

from flask import Blueprint, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..checkin import devices, services

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)

# A scan is a code and a request id; anything larger is not a scanner.
MAX_BODY_BYTES = 4096
MAX_REQUEST_ID = 100
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="admitone"'}


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


@bp.errorhandler(devices.DeskTokenRefused)
def answer_refused_token(refused: devices.DeskTokenRefused):
    headers = CHALLENGE if refused.status == 401 else None
    return ApiError(refused.status, refused.code, refused.message,
                    headers=headers).response()


def bearer_token() -> str:
    """The desk token sent with the request, or refuse with 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "token_missing", "Send the desk token as "
                       "'Authorization: Bearer <token>'.", headers=CHALLENGE)
    return token


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
    token = bearer_token()
    try:
        code, request_id = read_scan_request()
    except (ApiError, RequestEntityTooLarge):
        # The token is refused first: a stranger learns nothing from the body.
        devices.authenticate(token, event_id)
        raise
    answer = devices.scan(token, event_id, code, request_id)
    if answer.replayed:
        log.info("a desk of event %s retried request %s", event_id, request_id)
    return answer.as_document(), answer.status
