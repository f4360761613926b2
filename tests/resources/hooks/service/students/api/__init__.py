"""Handlers, one module per spec tag."""
