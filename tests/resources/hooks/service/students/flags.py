"""The flags this service declares."""

from satchel.flags import Flag, FlagKind, declare_flags

FLAGS = declare_flags(
    Flag(
        "notes-search",
        type=bool,
        default=False,
        owner="team-classroom",
        kind=FlagKind.RELEASE,
        expires="2027-03-31",
        description="Search box on the notes list.",
    ),
)
