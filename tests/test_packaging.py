"""helpers is a package pip can install: importable from any folder, with sensible default folders."""

import importlib.util
import os
import subprocess
import sys

import pytest

import helpers


@pytest.mark.slow
def test_pip_installs_helpers_importable_from_anywhere(tmp_path):
    target = tmp_path / "site"
    # Build with this environment's setuptools where it has one (Python 3.11 venvs do), so the test
    # fetches nothing; elsewhere pip's isolated build brings its own.
    isolation = [] if importlib.util.find_spec("setuptools") is None else ["--no-build-isolation"]
    # The build is setuptools' code, not ours: it runs without the warnings-as-errors rule (conftest.py).
    build_env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *isolation,
                    "--target", str(target), str(helpers.PROJECT_ROOT)], check=True, env=build_env)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # Every folder of helpers is installed, not only the top level (pyproject.toml names each package).
    code = ("import helpers, helpers.data.demo, helpers.plumbing.saved, helpers.pretrained.transfer; "
            "print(helpers.__file__); print(helpers.load_settings().tracks_dir)")
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env={"PYTHONPATH": str(target), "PATH": ""},
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0].startswith(str(target))
    assert out[1] == str(elsewhere / "tracks")  # an installed copy uses the working folder, not site-packages


def test_in_a_checkout_the_defaults_are_the_checkouts_folders():
    assert (helpers.PROJECT_ROOT / "notebooks").is_dir()
    assert helpers.Settings().tracks_dir == helpers.PROJECT_ROOT / "tracks"
