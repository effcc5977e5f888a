"""What a desk is told after a scan: the reason code, the details, and the words.

The same answer feeds the desk page, its JSON, and the scanner API, so a
retried API request can be answered again from the stored rows alone.
"""
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..models import ScanResult
from ..tickets.codes import format_code
from ..times import Clock, event_time

# HTTP status per reason code: success, a conflict with what is stored, a
# ticket this event does not know, or one that is not for this event.
API_STATUS = {
    ScanResult.CHECKED_IN: 201,
    ScanResult.ALREADY_CHECKED_IN: 409,
    ScanResult.VOIDED: 409,
    ScanResult.SET_ASIDE: 409,
    ScanResult.NO_HOLDER: 409,
    ScanResult.UNKNOWN_CODE: 404,
    ScanResult.OTHER_EVENT: 422,
}

ADVICE = {
    ScanResult.ALREADY_CHECKED_IN: "Do not admit again; ask a supervisor if in doubt.",
    ScanResult.UNKNOWN_CODE: "Check the code, or search the holder by name.",
    ScanResult.OTHER_EVENT: "This ticket is for a different event.",
    ScanResult.NO_HOLDER: "Nobody is assigned to this ticket; ask an organizer.",
    ScanResult.SET_ASIDE: "Its holder was set aside when a rule changed; "
                          "ask an organizer.",
    ScanResult.VOIDED: "An organizer voided this ticket; do not admit.",
}


def iso_utc(value: datetime | None) -> str | None:
    """ISO 8601 in UTC; SQLite hands back naive times that are UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    stamp = value.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


@dataclass
class ScanAnswer:
    """The answer to one scan, with the details the door needs."""

    result: ScanResult
    raw_code: str
    code: str = ""
    scan_id: int | None = None
    check_in_id: int | None = None
    ticket_id: int | None = None
    holder_name: str = ""
    ticket_type: str = ""
    checked_in_at: datetime | None = None
    desk_name: str = ""
    checked_in_by: str = ""
    #: The event's time zone and days, for times as the venue's clock shows them.
    clock: Clock = field(default_factory=Clock)
    replayed: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result is ScanResult.CHECKED_IN

    @property
    def status(self) -> int:
        return API_STATUS[self.result]

    @property
    def shown_code(self) -> str:
        return format_code(self.code) if self.code else self.raw_code[:40]

    @property
    def headline(self) -> str:
        if self.ok:
            return f"Checked in: {self.holder_name}"
        return self.result.title

    @property
    def detail(self) -> str:
        """The answer in a sentence, with the reason and what to do."""
        when = event_time(self.checked_in_at, self.clock, seconds=True)
        who = f" by {self.checked_in_by}" if self.checked_in_by else ""
        if self.result is ScanResult.CHECKED_IN:
            return f"{self.holder_name}, {self.ticket_type}, ticket {self.shown_code}."
        if self.result is ScanResult.ALREADY_CHECKED_IN:
            return (f"Ticket {self.shown_code} "
                    f"({self.holder_name}, {self.ticket_type}) "
                    f"was checked in at {when} at desk {self.desk_name}{who}. "
                    f"{ADVICE[self.result]}")
        if self.result is ScanResult.UNKNOWN_CODE:
            return f"No ticket has the code {self.shown_code}. {ADVICE[self.result]}"
        return (f"Ticket {self.shown_code}: {self.result.title.lower()}. "
                f"{ADVICE[self.result]}")

    def attributes(self) -> dict:
        return {
            "result": self.result.value,
            "code": self.code or None,
            "holder": {"name": self.holder_name} if self.holder_name else None,
            "ticket_type": self.ticket_type or None,
            "checked_in_at": iso_utc(self.checked_in_at),
            "desk_name": self.desk_name or None,
            "checked_in_by": self.checked_in_by or None,
        }

    def as_document(self) -> dict:
        """The JSON:API body: the check-in on success, else one error object."""
        if self.ok:
            return {"data": {"type": "check-ins", "id": str(self.check_in_id),
                             "attributes": self.attributes()}}
        return {"errors": [{
            "status": str(self.status),
            "code": self.result.value,
            "title": self.result.title,
            "detail": self.detail,
            "source": {"pointer": "/code"},
            "meta": self.attributes(),
        }]}

    def for_desk(self) -> dict:
        """What desk.js shows: the words and the reason code."""
        return {"result": self.result.value, "ok": self.ok, "headline": self.headline,
                "detail": self.detail, "check_in_id": self.check_in_id,
                **self.attributes()}
