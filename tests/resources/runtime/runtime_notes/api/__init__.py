"""Handlers named by the spec's operationIds, one module per tag."""
