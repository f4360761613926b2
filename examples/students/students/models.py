"""The service's tables (SQLAlchemy 2). Each tenant's database has all of them."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Return the current time, timezone-aware, for column defaults."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """The declarative base that Alembic's autogenerate compares against."""


class SchoolClass(Base):
    """A class (form) of the school: the group a register is taken for."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    year_group: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def to_dict(self) -> dict:
        """Return the class as the API shows it (spec: components/schemas/SchoolClass)."""
        return {"id": self.id, "name": self.name, "year_group": self.year_group}


class Pupil(Base):
    """A pupil on roll, in exactly one class."""

    __tablename__ = "pupils"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def to_dict(self) -> dict:
        """Return the pupil as the API shows it (spec: components/schemas/Pupil)."""
        return {
            "id": self.id,
            "class_id": self.class_id,
            "given_name": self.given_name,
            "family_name": self.family_name,
        }
