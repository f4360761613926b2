"""The WSGI entry point the production server loads (``satchel-serve``, which runs granian)."""

from satchel.startup import create_or_exit

from .app import create_app

# A wrong setting, spec or handler stops the process with one line saying what to fix.
app = create_or_exit(create_app, "attendance")
