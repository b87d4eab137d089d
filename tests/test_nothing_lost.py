"""Nothing a reader made is lost: each writer killed at the worst moment leaves the old file whole,
two runs writing one file both keep their work, and a damaged file is reported, never read as empty.

The worst moment is after the new file is written beside the old one and before it is renamed onto
it: the writer's process is killed there (SIGKILL: no `finally` runs, as when a kernel is restarted).
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

import helpers
from helpers.plumbing import atomic
from helpers.plumbing.results import ResultsFileError, read_results, record_result
from helpers.plumbing.saved import ModelFileError, add_fold, read_folds, readable_folds

ROOT = Path(helpers.__file__).resolve().parents[1]

# Each writer, as a reader's run calls it, writing `new` over `path`.
WRITERS = {
    "text": "from helpers.plumbing.atomic import write_text_atomically as w; w(path, 'new')",
    "array": "import numpy as np; from helpers.plumbing.atomic import write_array_atomically as w; w(path, np.ones(3))",
    "results": "from helpers.plumbing.results import record_result as r; r(path, 'new command', {'song_accuracy': 1})",
    "folds": "from helpers.plumbing.saved import add_fold; add_fold(path, 'new', {'record': {}})",
}
OLD = {
    "text": "old",
    "array": None,  # written with np.save below
    "results": json.dumps({"runs": [{"command": "old command", "date": "2026-12-07", "result": {}}]}),
    "folds": json.dumps({"folds": {"old": {"record": {}}}}),
}


def run_killed_at_the_rename(code: str, path: Path) -> subprocess.CompletedProcess:
    """Run `code` in a fresh process that is killed the moment it renames a file."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        from pathlib import Path
        os.replace = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
        path = Path(sys.argv[1])
        {code}
        """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", script, str(path)], env=env, capture_output=True, text=True)


def write_old(kind: str, path: Path) -> bytes:
    if kind == "array":
        np.save(path, np.zeros(3))
    else:
        path.write_text(OLD[kind])
    return path.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_a_writer_killed_at_the_worst_moment_leaves_the_old_file_whole(kind, tmp_path):
    path = tmp_path / {"array": "features.npy", "results": "real_music.json", "folds": "original_cnn.cv.json"}.get(kind, "notes.txt")
    old = write_old(kind, path)
    killed = run_killed_at_the_rename(WRITERS[kind], path)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert path.read_bytes() == old  # the old file, whole
    left = [p for p in tmp_path.iterdir() if p.name.startswith(f".{path.stem}.") and not p.name.endswith(".lock")]
    assert len(left) == 1  # the new file, written but never renamed
    # The next write by the file's owner cleans what the killed run left, and succeeds.
    subprocess.run([sys.executable, "-c", f"import sys; from pathlib import Path; path = Path(sys.argv[1]); {WRITERS[kind]}",
                    str(path)], env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert [p for p in tmp_path.iterdir() if p.name.startswith(f".{path.stem}.") and not p.name.endswith(".lock")] == []
    assert path.read_bytes() != old


@pytest.mark.slow
def test_a_model_save_killed_at_the_worst_moment_keeps_the_old_model(tmp_path):
    code = """
from helpers.model import original_cnn
from helpers.plumbing.saved import save_run
model = original_cnn((32, 32, 1), n_genres=2)
save_run(model, {"loss": [1.0]}, path, {"seed": 1})
"""
    path = tmp_path / "original_cnn.keras"
    subprocess.run([sys.executable, "-c", f"import sys; from pathlib import Path; path = Path(sys.argv[1])\n{code}",
                    str(path)], env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    old_model, old_json = path.read_bytes(), path.with_suffix(".json").read_bytes()
    killed = run_killed_at_the_rename(code.replace('{"seed": 1}', '{"seed": 2}').replace("\n", "\n        "), path)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert path.read_bytes() == old_model and path.with_suffix(".json").read_bytes() == old_json
    with warnings.catch_warnings():  # a model saved before training: Keras notes the optimizer was never built
        warnings.filterwarnings("ignore", "Skipping variable loading for optimizer", UserWarning)
        assert helpers.plumbing.saved.load_model(path).count_params() > 0  # and it loads
    assert helpers.plumbing.saved.saved_fingerprint(path) != ""  # the record inside agrees with the one beside


def test_temporary_files_of_dead_runs_are_removed_and_no_others(tmp_path):
    path = tmp_path / "songs.npy"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".songs.{int(dead.stdout)}-1-0.tmp"
    running = tmp_path / f".songs.{os.getppid()}-1-0.tmp"  # a live process's: it may still be writing
    mine = tmp_path / ".songs.notes.tmp"  # not the shape this module makes
    for file in (stale, running, mine):
        file.write_text("x")
    atomic.write_array_atomically(path, np.arange(3))
    assert not stale.exists() and running.exists() and mine.exists()
    assert np.load(path).tolist() == [0, 1, 2]


RECORDER = """
import sys, time
from pathlib import Path
import helpers.plumbing.atomic as atomic, helpers.plumbing.results as results, helpers.plumbing.saved as saved
slow = atomic.write_text_atomically
def slowly(*args):  # widen the window between reading the file and writing it back
    time.sleep(0.02)
    slow(*args)
results.write_text_atomically = saved.write_text_atomically = slowly
path, who = Path(sys.argv[1]), sys.argv[2]
for k in range(15):
    if path.suffix == ".json" and path.stem.endswith(".cv"):
        saved.add_fold(path, f"{who}{k}", {"record": {}})
    else:
        results.record_result(path, f"{who} {k}", {})
"""


@pytest.mark.slow
@pytest.mark.parametrize("name", ["real_music.json", "improved_cnn.cv.json"])
def test_two_runs_writing_one_file_at_once_both_keep_their_work(name, tmp_path):
    path = tmp_path / name
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen([sys.executable, "-c", RECORDER, str(path), who], env=env) for who in ("a", "b")]
    assert [run.wait() for run in runs] == [0, 0]
    kept = read_folds(path) if name.endswith(".cv.json") else [run["command"] for run in read_results(path)]
    assert len(kept) == 30


def test_a_damaged_folds_file_is_reported_and_kept_aside_never_read_as_empty(tmp_path):
    path = tmp_path / "original_cnn.cv.json"
    path.write_text('{"folds": {"abc": {"record": {}, "song_acc')  # cut short
    with pytest.raises(ModelFileError, match="original_cnn.cv.json: damaged"):
        read_folds(path)
    with pytest.warns(UserWarning, match="kept as original_cnn.cv.json.damaged"):
        assert readable_folds(path) == {}
    assert (tmp_path / "original_cnn.cv.json.damaged").read_text().startswith('{"folds": {"abc"')
    add_fold(path, "new", {"record": {}})
    assert set(read_folds(path)) == {"new"}


def test_a_damaged_results_file_is_reported_and_never_written_over(tmp_path):
    path = tmp_path / "real_music.json"
    path.write_text('{"runs": [{"command": "python -m helpers evaluate"')  # cut short
    with pytest.raises(ResultsFileError, match="real_music.json: damaged"):
        read_results(path)
    with pytest.raises(ResultsFileError):
        record_result(path, "another", {})
    assert path.read_text().endswith('"python -m helpers evaluate"')
