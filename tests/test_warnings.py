"""Deprecations are errors, here and in the notebook kernels: the series cannot lean on an API
that librosa 1.0 (Colab), a newer Keras, numpy or scikit-learn has removed."""

import os
import subprocess
import sys
import warnings

import librosa
import numpy as np
import pytest


@pytest.mark.slow
def test_a_deprecation_fails_the_test_run():
    with pytest.raises(DeprecationWarning):
        warnings.warn("an old API", DeprecationWarning)
    if hasattr(librosa.beat, "tempo"):  # librosa 0.10/0.11 keep a deprecated alias; 1.0 removed it
        y = np.random.default_rng(0).standard_normal(22050 * 3).astype(np.float32)
        with pytest.raises(FutureWarning, match="librosa.beat.tempo"):
            librosa.beat.tempo(y=y, sr=22050)


@pytest.mark.parametrize("category", ["DeprecationWarning", "FutureWarning"])
def test_notebook_kernels_inherit_warnings_as_errors(category):
    # nbval starts each kernel as a child process with this environment (see conftest.py).
    assert f"error::{category}" in os.environ["PYTHONWARNINGS"]
    code = f"import warnings; warnings.warn('an old API', {category})"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
    assert child.returncode != 0 and f"{category}: an old API" in child.stderr
