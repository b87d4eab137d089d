"""How long does a reader wait? Each notebook's execution time, from a fresh kernel, cold and warm.

    python benchmarks/notebooks.py               # every notebook, in order, cold then warm
    python benchmarks/notebooks.py --features    # and, in the same run, benchmarks/features.py (extraction
                                                 # against the tutorial's loop, both models' training speed)
    python benchmarks/notebooks.py 05 09         # only the notebooks whose names start with these
    python benchmarks/notebooks.py --save        # and copy the cold pass's executed notebooks into notebooks/:
                                                 # how they are committed (fresh kernels, in order, no caches)

The notebooks run in a pristine copy of this tree (the files git tracks, no tracks/, .cache/ or
models/), as a reader's fresh clone does:
  cold  the first pass, in order: 01 synthesises the demo, 04 builds the features, 05-09 train;
  warm  a second pass over the same copy: features and models come from the caches, as when a
        reader steps through the series again.
The last line printed is one JSON object with every number.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def pristine_copy(target: Path) -> None:
    """The files git tracks (and untracked ones it does not ignore), copied into `target`."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def execute(notebook: Path, save_to: Path | None = None) -> float:
    """Seconds to execute `notebook` top to bottom in a fresh kernel (its folder as working folder);
    the executed notebook is written to `save_to`, if given."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=3600, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}}).execute()
    seconds = time.perf_counter() - start
    if save_to is not None:
        nbformat.write(nb, save_to)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="*", help="notebook name prefixes (default: all)")
    parser.add_argument("--features", action="store_true", help="also run benchmarks/features.py, in the same run")
    parser.add_argument("--save", action="store_true", help="write the cold pass's executed notebooks into notebooks/")
    options = parser.parse_args()

    result = {"cores": os.cpu_count()}
    if options.features:
        out = subprocess.run([sys.executable, str(HERE / "features.py")], check=True, capture_output=True, text=True)
        result["features"] = json.loads(out.stdout.strip().splitlines()[-1])

    with tempfile.TemporaryDirectory(prefix="notebooks-benchmark-") as folder:
        copy = Path(folder)
        pristine_copy(copy)
        # The copy's helpers, not an installed one, and its own tracks, cache and models.
        os.environ["PYTHONPATH"] = os.pathsep.join([str(copy), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        for name in ("TRACKS_DIR", "CACHE_DIR", "MODELS_DIR"):
            os.environ.pop(name, None)
        notebooks = sorted((copy / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        if options.only:
            notebooks = [n for n in notebooks if n.name.startswith(tuple(options.only))]
        times = {"cold": {}, "warm": {}}
        for run in ("cold", "warm"):
            for notebook in notebooks:
                save_to = ROOT / "notebooks" / notebook.name if options.save and run == "cold" else None
                times[run][notebook.stem] = round(execute(notebook, save_to), 1)
                print(f"{run:<5} {notebook.stem:<24} {times[run][notebook.stem]:>7.1f} s", flush=True)
        result.update({f"{run}_seconds": per for run, per in times.items()})
        result.update({f"{run}_total_seconds": round(sum(per.values()), 1) for run, per in times.items()})
    print(f"all notebooks: cold {result['cold_total_seconds']:.0f} s, warm {result['warm_total_seconds']:.0f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
