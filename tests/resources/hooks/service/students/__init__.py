"""The students service."""
