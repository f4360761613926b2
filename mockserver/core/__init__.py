"""The pure engine for one neighbour: its spec and overlay in, validated answers out.

No IO beyond reading its own files: both transports and the tools build on it.
"""
