"""The kit's own tooling, run by people rather than by services: releases, upgrades, the fleet
report and adoption of existing Connexion services (the ``satchel`` command). Services never
import it at run time; the runtime library is ``satchel``."""
