"""A flags module with every kind of hygiene problem (parsed, never imported)."""

from satchel.flags import Flag, FlagKind, declare_flags

FLAGS = declare_flags(
    Flag(
        "old-release",
        type=bool,
        default=False,
        owner="team-a",
        kind=FlagKind.RELEASE,
        expires="2026-01-31",
    ),
    Flag("unused-ops", type=bool, default=False, owner="team-a", kind=FlagKind.OPS),
    Flag(
        "ownerless",
        type=bool,
        default=False,
        owner="",
        kind=FlagKind.RELEASE,
        expires="2099-01-01",
    ),
    Flag(
        "used-everywhere", type=int, default=1, owner="team-a", kind=FlagKind.PERMISSION
    ),
)
