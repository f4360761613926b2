"""The feature flags this service declares: key, type, default, owner, kind and expiry.

Add a flag here before using it; the hooks refuse an undeclared flag (SAT-FLG-001) and one
past its expiry (SAT-FLG-003). Remove the flag and its uses once it is fully rolled out.
"""

from satchel.flags import Flag, FlagKind, declare_flags

FLAGS = declare_flags(
    Flag(
        "pupils-move",
        type=bool,
        default=False,
        owner="team-records",
        kind=FlagKind.RELEASE,
        expires="2027-06-30",
        description="Moving a pupil to another class (POST /v1/pupils/{pupil_id}/move).",
    ),
)
