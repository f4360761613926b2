"""The service's tables (SQLAlchemy 2). Each tenant's database has all of them."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Return the current time, timezone-aware, for column defaults."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """The declarative base that Alembic's autogenerate compares against."""


class Note(Base):
    """The example resource: a short note a member of staff writes."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def to_dict(self) -> dict:
        """Return the note as the API shows it (spec: components/schemas/Note)."""
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "archived": self.archived,
            "created_by": self.created_by,
            "created_at": _isoformat(self.created_at),
            "updated_at": _isoformat(self.updated_at),
        }


def _isoformat(moment: datetime) -> str:
    # SQLite returns naive datetimes; every stored time is UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat().replace("+00:00", "Z")
