"""Takes the register for a class."""

__version__ = "0.1.0"
