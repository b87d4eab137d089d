"""Import TensorFlow and Keras without the information lines TensorFlow's C++ core prints at
start-up, and without hiding its errors.

On a machine without a GPU, TensorFlow 2.2x writes "Could not find cuda drivers..." and other
information lines to the process's standard error while it is imported, before its log level
setting applies, and they would land in the notebooks' outputs. This module catches what the
import writes to standard error and passes on every line except those information and warning
lines (`is_start_up_noise`): an error TensorFlow logs, or any other message, still reaches
the reader. After the import, TF_CPP_MIN_LOG_LEVEL=2 keeps TensorFlow's own log to errors.

Used by helpers/model.py and helpers/train.py.
"""

import os
import re
import sys
import tempfile
from pathlib import Path

# 2: information and warnings are quiet, errors are shown (3 would hide errors too).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_NOISE = re.compile(r"^([IW]\d{4} |WARNING: All log messages before absl::InitializeLog|"
                    r"To enable the following instructions: .* rebuild TensorFlow)")

_NO_GPU = re.compile(r"^E\d{4} .*failed call to cuInit")
"""Logged as an error; on a machine without a GPU it only says so, and TensorFlow runs on the CPU."""


def has_gpu_device() -> bool:
    """True when the machine has an NVIDIA GPU that its driver shows (/dev/nvidia0 and the like):
    there a failed CUDA start is a real error (a broken driver), and training would fall back to
    the CPU without it."""
    return any(Path("/dev").glob("nvidia[0-9]*"))


def is_start_up_noise(line: str, gpu: bool | None = None) -> bool:
    """An information or warning line of TensorFlow's C++ log (absl format "I0000 ..." or
    "W0000 ..."), absl's note that it logs to standard error, or, on a machine without a GPU
    (`gpu`: by default `has_gpu_device()`), the failed CUDA start; other errors ("E0000 ...",
    "F0000 ...") and anything else are not."""
    if _NOISE.match(line):
        return True
    return bool(_NO_GPU.match(line)) and not (has_gpu_device() if gpu is None else gpu)


def _import_quietly():
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            import keras
            import tensorflow

            tensorflow.config.list_physical_devices("GPU")  # looks for a GPU now, while its log is caught
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            for line in caught.read().decode(errors="replace").splitlines(keepends=True):
                if not is_start_up_noise(line):
                    sys.stderr.write(line)
    return keras, tensorflow


keras, tf = _import_quietly()
# TensorFlow's Python log warns when a function is traced again, which happens by design when a
# notebook builds a fresh model per fold; errors are still shown.
tf.get_logger().setLevel("ERROR")
