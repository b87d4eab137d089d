"""CI runs exactly the test command README.md shows, on both stacks it names."""

import re

import helpers

ROOT = helpers.PROJECT_ROOT


def readme_test_command() -> str:
    commands = re.findall(r"^python -m pytest .*$", (ROOT / "README.md").read_text(), flags=re.MULTILINE)
    assert len(commands) == 1, "README.md should show one test command"
    return commands[0]


def test_ci_runs_the_readme_test_command():
    run = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\s*" + re.escape(readme_test_command()) + r"\s*$", run, flags=re.MULTILINE)


def test_the_lock_pins_every_requirement_exactly():
    lock = (ROOT / "requirements-lock.txt").read_text().splitlines()
    pins = {line.split("==")[0].lower().replace("_", "-") for line in lock if "==" in line}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-e")):
            continue
        name = re.split(r"[<>=!~\[ ]", line, maxsplit=1)[0].lower().replace("_", "-")
        assert name in pins, f"requirements-lock.txt does not pin {name}: run .ci/lock"
    assert all(line.startswith(("#", "-e .")) or "==" in line for line in lock if line.strip())
