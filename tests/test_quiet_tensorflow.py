"""TensorFlow's start-up information lines are quiet; its errors are not."""

import os
import subprocess
import sys

import pytest

from helpers.plumbing.quiet_tensorflow import is_start_up_noise


def test_information_is_noise_and_errors_are_not():
    assert is_start_up_noise("I0000 00:00:1795695773.768838    7435 cudart_stub.cc:31] Could not find cuda drivers")
    assert is_start_up_noise("W0000 00:00:17.1  7435 some.cc:1] a warning\n")
    assert is_start_up_noise("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR")
    assert not is_start_up_noise("E0000 00:00:1795695773.7 7435 cuda_dnn.cc:8310] Unable to load cuDNN: disk full")
    assert not is_start_up_noise("F0000 00:00:1795695773.7 7435 check.cc:1] Check failed")
    no_cuda = "E0000 00:00:17.8 8651 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error"
    assert is_start_up_noise(no_cuda, gpu=False)  # no GPU: TensorFlow only says so, and runs on the CPU
    assert not is_start_up_noise(no_cuda, gpu=True)  # a GPU with a broken driver: the reader must see it
    assert not is_start_up_noise("Traceback (most recent call last):")


@pytest.mark.slow
def test_the_import_is_quiet_and_keeps_tensorflow_errors_visible():
    env = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    code = ("import os, helpers.plumbing.quiet_tensorflow as q; print(os.environ['TF_CPP_MIN_LOG_LEVEL']); "
            "q.tf.constant(1.0) + 1")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "2"  # errors (level 2) still logged; 3 would hide them
    assert child.stderr == ""
