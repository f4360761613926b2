"""Flags of the test service (read by the hygiene tests, never imported)."""

from satchel.flags import Flag, FlagKind, declare_flags

FLAGS = declare_flags(
    Flag(
        "notes-search",
        type=bool,
        default=False,
        owner="team-classroom",
        kind=FlagKind.RELEASE,
        expires="2099-12-31",
    ),
    Flag("page-size", type=int, default=20, owner="team-classroom", kind=FlagKind.OPS),
)
