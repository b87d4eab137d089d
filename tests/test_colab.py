"""Every notebook opens in Colab from its badge, and its set-up cell works there and is a no-op here.

Colab itself cannot be reached from the tests, so the Colab branch of the set-up cell is run in
a Python process that looks like Colab where it matters: `google.colab` is imported, and the
repository and /content are a local clone and a temporary folder.
"""

import json
import subprocess
import sys
import tomllib

import pytest

import nbformat
import helpers
from helpers.plumbing import colab

NOTEBOOKS = sorted((helpers.PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# Runs the set-up cell; records every command it starts instead of running pip (which would
# install into this environment), and reports what it saw as one JSON line.
HARNESS = '''
import json, subprocess, sys, types
if {colab!r}:
    sys.modules["google.colab"] = types.ModuleType("google.colab")
commands, real_run = [], subprocess.run
def run(command, *args, **kwargs):
    commands.append(list(command))
    if command[1:4] != ["-m", "pip", "install"]:
        return real_run(command, *args, **kwargs)
subprocess.run = run
{cell}
print(json.dumps({{"commands": commands, "helpers": helpers.__file__, "tracks": str(settings.tracks_dir)}}))
'''


def run_setup_cell(tmp_path, upstream=None) -> dict:
    """Run the set-up cell in `tmp_path`; like Colab when `upstream` (the repository to clone) is given."""
    source = colab.setup_cell()
    assert source.count(f'"{colab.REPOSITORY}"') == 1 and source.count('"/content/sound-ml-series"') == 1
    assert len(source.splitlines()) <= 10  # as short as TensorFlow's tutorials' install cells
    cell = (source.replace(f'"{colab.REPOSITORY}"', repr(f"file://{upstream}"))
            .replace('"/content/sound-ml-series"', repr(f"{tmp_path}/github.git")))
    out = subprocess.run([sys.executable, "-c", HARNESS.format(colab=upstream is not None, cell=cell)], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_every_notebook_starts_with_its_badge_then_the_setup_cell():
    assert len(NOTEBOOKS) >= 6
    for path in NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        assert cells[0].cell_type == "markdown" and cells[1].cell_type == "code", path.name
        assert cells[0].source.split("\n")[2] == colab.badge(path.name), f"{path.name}: run python -m helpers.plumbing.colab"
        assert cells[1].source == colab.setup_cell(), f"{path.name}: run python -m helpers.plumbing.colab"
        assert f"/blob/main/notebooks/{path.name})" in colab.badge(path.name)


def test_a_fork_changes_one_line_and_rewrites_every_notebook(tmp_path):
    for path in NOTEBOOKS[:2]:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    fork = "https://github.com/someone/their-fork"
    assert len(colab.write_notebooks(tmp_path, repository=fork)) == 2
    for path in sorted(tmp_path.glob("*.ipynb")):
        before = nbformat.read(helpers.PROJECT_ROOT / "notebooks" / path.name, as_version=4)
        after = nbformat.read(path, as_version=4)
        assert "github/someone/their-fork/blob/main/notebooks/" + path.name in after.cells[0].source
        assert f'"{fork}", SERIES' in after.cells[1].source and '"/content/their-fork"' in after.cells[1].source
        assert [c.get("outputs") for c in after.cells] == [c.get("outputs") for c in before.cells]
        assert [c.source for c in after.cells[2:]] == [c.source for c in before.cells[2:]]
    assert colab.write_notebooks(tmp_path, repository=fork) == []  # rewriting again changes nothing


def test_the_setup_cell_does_nothing_outside_colab(tmp_path):
    seen = run_setup_cell(tmp_path)
    assert seen["commands"] == []
    assert seen["helpers"] == str(helpers.PROJECT_ROOT / "helpers" / "__init__.py")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_on_colab_the_setup_cell_clones_installs_without_tensorflow_and_imports_the_clone(tmp_path):
    # A bare repository whose main branch is this checkout's last commit plays GitHub.
    upstream = tmp_path / "github.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(upstream)], check=True)
    subprocess.run(["git", "-C", str(upstream), "fetch", "--quiet", str(helpers.PROJECT_ROOT),
                    f"HEAD:refs/heads/{colab.BRANCH}"], check=True)
    content = tmp_path / "content"
    content.mkdir()
    seen = run_setup_cell(content, upstream)
    clone = content / "github.git"
    git, pip = seen["commands"]
    assert git[:5] == ["git", "clone", "--depth", "1", "--branch"] and git[-1] == str(clone)
    assert pip == [sys.executable, "-m", "pip", "install", "--quiet", str(clone)]
    assert seen["helpers"] == str(clone / "helpers" / "__init__.py")  # the clone's, not this environment's
    assert seen["tracks"] == str(clone / "tracks") and (clone / "tracks" / "README.md").is_file()
    assert subprocess.run(["git", "-C", str(clone), "rev-list", "--count", "HEAD"],
                          capture_output=True, text=True).stdout.strip() == "1"  # shallow
    # What pip installs on Colab is pyproject's list: TensorFlow is never in it.
    dependencies = tomllib.loads((clone / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not [d for d in dependencies if d.lower().startswith(("tensorflow", "keras"))]
    # Every notebook runs the cell; the second time nothing is cloned again.
    again = run_setup_cell(content, upstream)
    assert [c[0] for c in again["commands"]] == [sys.executable]
