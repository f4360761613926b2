"""A service set up wrongly stops with one line saying what to fix, not a traceback."""

import subprocess
import sys

import pytest

from satchel.config import ConfigError
from satchel.startup import EXIT_SETUP, create_or_exit


def test_app_is_returned():
    """A factory that works gives its app."""
    assert create_or_exit(lambda: "app", "svc") == "app"


def test_setup_error_exits_with_its_message(capsys):
    """A set-up error becomes exit 2 and one line on stderr."""

    def broken():
        raise ConfigError("STUDENTS_SECRET_KEY is still its development default.")

    with pytest.raises(SystemExit) as stopped:
        create_or_exit(broken, "students")
    assert stopped.value.code == EXIT_SETUP
    assert capsys.readouterr().err == (
        "students cannot start: STUDENTS_SECRET_KEY is still its development default.\n"
    )


def test_bugs_keep_their_traceback():
    """Anything else is a bug and is not hidden."""
    with pytest.raises(ZeroDivisionError):
        create_or_exit(lambda: 1 / 0, "svc")


def test_process_prints_no_traceback():
    """Through a real interpreter, the operator sees only the line."""
    code = (
        "from satchel.config import ConfigError\n"
        "from satchel.startup import create_or_exit\n"
        "def broken():\n    raise ConfigError('bad setting')\n"
        "create_or_exit(broken, 'svc')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (2, "svc cannot start: bad setting\n")
