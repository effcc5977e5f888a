"""All models, importable from one place."""
from .audit import AuditAction, AuditEntry
from .base import utcnow
from .checkin import CheckIn, DeskToken, Scan, ScanResult
from .event import Event, EventMembership, Role
from .holder import SetAsideHolder, TicketHolder
from .security import FailedSignIn, SignIn
from .submission import AssignSubmission
from .ticket import MAX_CAPACITY, Ticket, TicketType
from .user import User

__all__ = [
    "AssignSubmission", "AuditAction", "AuditEntry", "CheckIn", "DeskToken", "Event",
    "EventMembership",
    "FailedSignIn", "SignIn",
    "MAX_CAPACITY", "Role", "Scan", "ScanResult", "SetAsideHolder", "Ticket",
    "TicketHolder", "TicketType", "User", "utcnow",
]
