"""The service's tables (SQLAlchemy 2). Each tenant's database has all of them."""

from __future__ import annotations

from datetime import date as calendar_date
from datetime import datetime, timezone

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Return the current time, timezone-aware, for column defaults."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """The declarative base that Alembic's autogenerate compares against."""


class Register(Base):
    """One register: a class's attendance for one date and session (am or pm)."""

    __tablename__ = "registers"
    __table_args__ = (UniqueConstraint("class_id", "date", "session"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The class lives in the students service; its name is copied so history reads alone.
    class_id: Mapped[int] = mapped_column(index=True)
    class_name: Mapped[str] = mapped_column(String(50))
    date: Mapped[calendar_date]
    session: Mapped[str] = mapped_column(String(2))
    taken_by: Mapped[str] = mapped_column(String(200))
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    marks: Mapped[list[Mark]] = relationship(
        back_populates="register", cascade="all, delete-orphan", order_by="Mark.id"
    )

    def to_dict(self) -> dict:
        """Return the register as the API shows it (spec: components/schemas/Register)."""
        taken_at = self.taken_at
        # SQLite returns naive datetimes; every stored time is UTC.
        if taken_at.tzinfo is None:
            taken_at = taken_at.replace(tzinfo=timezone.utc)
        return {
            "id": self.id,
            "class_id": self.class_id,
            "class_name": self.class_name,
            "date": self.date.isoformat(),
            "session": self.session,
            "taken_by": self.taken_by,
            "taken_at": taken_at.isoformat().replace("+00:00", "Z"),
            "marks": [mark.to_dict() for mark in self.marks],
        }


class Mark(Base):
    """One pupil's mark in a register: present, absent or late."""

    __tablename__ = "marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"), index=True)
    pupil_id: Mapped[int]
    pupil_name: Mapped[str] = mapped_column(String(201))
    mark: Mapped[str] = mapped_column(String(10))
    register: Mapped[Register] = relationship(back_populates="marks")

    def to_dict(self) -> dict:
        """Return the mark as the API shows it."""
        return {
            "pupil_id": self.pupil_id,
            "pupil_name": self.pupil_name,
            "mark": self.mark,
        }
