"""The benchmark's example service: one table, one GET by id, the same for every server."""
