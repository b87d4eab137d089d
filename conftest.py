"""pytest configuration shared by the unit tests and the notebooks that nbval re-executes.

pyproject.toml turns deprecation and future warnings into errors in this process. The notebook
kernels that nbval starts are separate processes, so the same rule reaches them through
PYTHONWARNINGS, which they inherit: a notebook that leans on a deprecated librosa, Keras, numpy
or scikit-learn API fails its cell instead of printing a warning that a later version turns
into a crash. (Later entries win; the ignores are known warnings from inside the libraries,
explained in pyproject.toml, and one from the kernel's own start-up on Python 3.12.)
"""

import os
import tempfile
from pathlib import Path

import pytest

os.environ["PYTHONWARNINGS"] = ",".join([
    "error::DeprecationWarning",
    "error::PendingDeprecationWarning",
    "error::FutureWarning",
    "ignore:'aifc' is deprecated:DeprecationWarning",
    "ignore:'audioop' is deprecated:DeprecationWarning",
    "ignore:'sunau' is deprecated:DeprecationWarning",
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning",
    # Python 3.12 (Colab's): ipykernel's start-up asks asyncio for an event loop before one runs;
    # as an error, every notebook kernel would die before its first cell.
    "ignore:There is no current event loop:DeprecationWarning",
    "ignore:For consistency across implementations:PendingDeprecationWarning",  # ipykernel's shutdown, same
])


# --- Markers and CI's two legs ------------------------------------------------------------------
# slow     trains a model, synthesises the demo or starts subprocesses: more than a second or two.
#          Every test that uses the demo collection (tests/conftest.py's demo_* fixtures) is slow.
# lessons  checks a number a notebook teaches, on the notebooks' own models (tests/test_lessons.py,
#          tests/test_transfer_lessons.py, tests/test_musical_lessons.py, and the tests of tests/test_train.py
#          that read notebook 05's model): run after the notebooks, it reuses what they trained.
# network  downloads by package name (pip, apt-get), once, into a cache.
# The fast loop for developers: python -m pytest tests -m "not slow" (CONTRIBUTING.md).
#
# CI (.ci/run) runs README.md's one test command on two stacks and says which leg this is in
# SOUND_ML_CI_LEG. Both legs execute every notebook; between them every test runs, none twice:
#   locked  the committed outputs' stack: strict nbval on every notebook, and the lessons, which
#           read the numbers the notebooks trained for their full number of epochs;
#   newest  Colab's stack: every unit test, and every notebook trained for QUICK_TRAINING's epochs,
#           its outputs compared with numbers masked (what else could differ is the words, the
#           structure, the shapes' places, the errors: those must match).
# Unset (a reader's run, a developer's): everything, strictly.
LEG = os.environ.get("SOUND_ML_CI_LEG", "")
QUICK_TRAINING = {"EPOCHS": "2", "MAX_EPOCHS": "3", "PATIENCE": "1"}
NUMBERS_MASKED = """
[numbers: the newest CI leg trains for fewer epochs (conftest.py)]
regex: \\d+
replace: N
"""


def _is_notebook(item) -> bool:
    return item.path.suffix == ".ipynb"


def pytest_configure(config):
    for line in ("slow: trains, synthesises or starts subprocesses (deselect with -m 'not slow')",
                 "lessons: checks a number a notebook teaches, on the notebooks' own models",
                 "network: downloads by package name from PyPI or apt, once, into a cache"):
        config.addinivalue_line("markers", line)
    if LEG not in ("", "locked", "newest"):
        raise pytest.UsageError(f"SOUND_ML_CI_LEG={LEG!r}: expected locked or newest (or unset)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "real_cache" in fixtures:  # tests/test_musicnn.py: the real musicnn wheel, from PyPI
            item.add_marker(pytest.mark.network)
        if item.get_closest_marker("lessons") or item.get_closest_marker("network") or {"demo_tracks", "demo_settings"} & fixtures:
            item.add_marker(pytest.mark.slow)
    if not LEG:
        return
    if LEG == "newest" and getattr(config.option, "nbval", False):
        given = config.option.nbval_sanitize_with
        masked = Path(tempfile.mkdtemp(prefix="nbval-")) / "sanitize.cfg"
        masked.write_text((Path(given).read_text() if given else "") + NUMBERS_MASKED)
        config.option.nbval_sanitize_with = str(masked)
    keep, drop = [], []
    for item in items:
        lessons = item.get_closest_marker("lessons") is not None
        runs_here = _is_notebook(item) or (lessons if LEG == "locked" else not lessons)
        (keep if runs_here else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """In the newest leg, notebook kernels (started at a notebook's first cell) train for fewer epochs;
    the unit tests see the settings' own defaults."""
    if LEG != "newest":
        return
    if _is_notebook(item):
        os.environ.update(QUICK_TRAINING)
    else:
        for name in QUICK_TRAINING:
            os.environ.pop(name, None)
