"""Column helpers and enum base shared by the model modules."""
import enum
from datetime import datetime, timezone

from sqlalchemy import DateTime, Enum


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


Timestamp = DateTime(timezone=True)


class TitledEnum(str, enum.Enum):
    """A string enum whose members carry a human title for pages and exports."""

    def __new__(cls, value: str, title: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.title = title
        return member

    def __str__(self) -> str:
        return self.value


def enum_column(enum_class: type[enum.Enum]) -> Enum:
    """Store an enum as its value in a plain string column, portable everywhere."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=40,
        values_callable=lambda members: [member.value for member in members],
    )
