"""Handlers named by the benchmark spec's operationIds."""
