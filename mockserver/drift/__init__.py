"""Drift: what changed in a neighbour's spec that breaks the calls this service makes."""
