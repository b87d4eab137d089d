"""CI runs exactly the test command README.md shows, on both stacks it names."""

import re
import warnings

import pytest

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


def test_keras_is_new_enough_that_safe_mode_holds():
    """Keras before 3.11.3 let a crafted .keras file run code despite safe_mode (CVE-2025-1550,
    CVE-2025-8747, CVE-2025-9906); `predict` loads model files a reader may have been given."""
    from packaging.version import Version

    floor = Version("3.11.3")
    found = re.findall(r"^keras>=([\d.]+)$", (ROOT / "requirements.txt").read_text(), flags=re.MULTILINE)
    assert len(found) == 1 and Version(found[0]) >= floor, f"requirements.txt should ask for keras>={floor}"
    from helpers.plumbing import saved

    assert Version(saved.SAFE_KERAS) == floor
    with pytest.warns(UserWarning, match="keras>=3.11.3"):
        saved._warn_when_keras_is_old("3.10.0")  # Colab keeps its own Keras: an old one is named
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        saved._warn_when_keras_is_old("3.12.0")
    pinned = re.findall(r"^keras==([\d.]+)$", (ROOT / "requirements-lock.txt").read_text(), flags=re.MULTILINE)
    assert Version(pinned[0]) >= floor


def collected(leg: str) -> set[str]:
    """The test ids README.md's command collects in one CI leg ("" when run outside CI)."""
    import os
    import shlex
    import subprocess
    import sys

    command = shlex.split(readme_test_command())[1:] + ["--collect-only", "-q"]
    env = {**os.environ, "SOUND_ML_CI_LEG": leg}
    out = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return {line for line in out.splitlines() if "::" in line}


@pytest.mark.slow
def test_between_the_two_legs_every_test_runs_once_and_every_notebook_twice():
    everything, locked, newest = collected(""), collected("locked"), collected("newest")
    notebooks = {test for test in everything if test.startswith("notebooks/")}
    lessons = locked - notebooks  # the tests marked `lessons`: they read what the notebooks trained in full
    lesson_files = ("tests/test_lessons.py", "tests/test_transfer_lessons.py", "tests/test_musical_lessons.py")
    assert len(notebooks) > 100 and notebooks <= locked
    assert {test for test in everything if test.startswith(lesson_files)} <= lessons
    assert all(test.startswith("tests/") for test in lessons)
    assert newest == everything - lessons
    assert locked | newest == everything and locked & newest == notebooks
