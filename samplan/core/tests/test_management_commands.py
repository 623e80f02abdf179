import contextlib
import io

import pytest
from django.core.management import ManagementUtility, get_commands

PROJECT_COMMANDS = sorted(name for name, app in get_commands().items() if app.startswith("samplan"))


def test_the_project_has_its_operators_commands():
    assert {"verify_access_log", "purge_access_log", "run_worker"} <= set(PROJECT_COMMANDS)


@pytest.mark.parametrize("name", PROJECT_COMMANDS)
def test_every_project_command_prints_its_help(name):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit:
        ManagementUtility(["manage.py", name, "--help"]).execute()
    assert exit.value.code in (0, None)
    assert f"usage: manage.py {name}" in out.getvalue()
