"""Owns pupils and classes."""

__version__ = "0.1.0"
