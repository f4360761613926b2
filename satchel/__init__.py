"""Satchel: the runtime library every generated service imports."""

__version__ = "0.1.0"

__all__ = ["__version__"]
