"""The ``satchel-mock`` command: the group with up/serve/check/pin (record and drift plug in)."""
