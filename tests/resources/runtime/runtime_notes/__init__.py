"""A tiny service used by the runtime tests: built the way a generated service is."""
