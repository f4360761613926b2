"""Handlers, one module per spec tag; each function is named by an operationId."""
