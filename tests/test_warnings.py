"""Deprecations are errors, here and in the notebook kernels: the series cannot lean on an API
that librosa 1.0 (Colab), a newer Keras, numpy or scikit-learn has removed."""

import os
import subprocess
import sys
import warnings

import pytest


@pytest.mark.slow
def test_a_deprecation_fails_the_test_run():
    with pytest.raises(DeprecationWarning):
        warnings.warn("an old API", DeprecationWarning)
    # Raised inside a library's own module (here one that calls itself librosa's, on every librosa
    # version): an error too, not only a warning the test code itself raises.
    library = {"__name__": "librosa.core.old", "warnings": warnings}
    exec(compile("def tempo():\n    warnings.warn('librosa.core.old.tempo is deprecated', FutureWarning)\n",
                 "librosa/core/old.py", "exec"), library)
    with pytest.raises(FutureWarning, match="tempo is deprecated"):
        library["tempo"]()


@pytest.mark.parametrize("category", ["DeprecationWarning", "FutureWarning"])
def test_notebook_kernels_inherit_warnings_as_errors(category):
    # nbval starts each kernel as a child process with this environment (see conftest.py).
    assert f"error::{category}" in os.environ["PYTHONWARNINGS"]
    code = f"import warnings; warnings.warn('an old API', {category})"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
    assert child.returncode != 0 and f"{category}: an old API" in child.stderr
