"""Keep trained work on disk: a model with the record of what made it, and cross-validated folds
under their fingerprints, each written whole or not at all.

Taught in notebooks/05_cnn.ipynb (saving) and notebooks/06_history.ipynb (loading).
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from .atomic import locked, replace_durably, temporary_beside, write_text_atomically
from .errors import InputError
from .runs import fingerprint

SAFE_KERAS = "3.11.3"
"""Keras before this let a crafted .keras file run code despite safe_mode (CVE-2025-1550,
CVE-2025-8747, CVE-2025-9906). requirements.txt asks for it; Colab keeps its own Keras, so
`load_model` warns there when it is older."""

class ModelFileError(InputError):
    """A saved model that is missing, damaged or does not fit; the message names the file."""

RECORD_IN_MODEL = "helpers_record.json"
"""The file inside a saved .keras archive that holds its run record (see `save_run`)."""


def save_run(model, history: dict, path: Path, record: dict | None = None) -> None:
    """Save the model (`path`, a .keras file) with its run record (`helpers.plumbing.runs.run_record`)
    inside it, and its history and record beside it (`path` with .json), atomically: written under
    temporary names and renamed, so an interrupted save never replaces a good model, and a model
    file always carries the genres and feature settings it was trained with."""
    path = Path(path)
    record = record or {}
    sidecar = {"fingerprint": fingerprint(record) if record else "", "record": record}
    tmp_model, tmp_json = temporary_beside(path, ".keras"), temporary_beside(path, ".json")
    try:
        model.save(tmp_model)
        with zipfile.ZipFile(tmp_model, "a") as archive:  # Keras ignores files it does not know
            archive.writestr(RECORD_IN_MODEL, json.dumps(sidecar))
        tmp_json.write_text(json.dumps({**sidecar, "history": history}, indent=1))
        replace_durably(tmp_model, path)
        replace_durably(tmp_json, path.with_suffix(".json"))
    finally:
        tmp_model.unlink(missing_ok=True)
        tmp_json.unlink(missing_ok=True)


def load_record(path: Path) -> dict:
    """The run record saved inside a model file by `save_run`.

    Raises:
        ModelFileError: the file holds none (saved by other code, or by an older version of the series).
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            record = json.loads(archive.read(RECORD_IN_MODEL))["record"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        record = None
    if not record or "spec" not in record:
        raise ModelFileError(f"{path}: holds no record of its genres and feature settings (saved by other code or an "
                             f"older version of the series); train it again with `python -m helpers train` or "
                             f"notebooks/06_history.ipynb")
    return record


def load_model(path: Path):
    """Load a saved .keras model, with a clear message when it is missing or damaged.

    Taught in notebooks/06_history.ipynb.
    """
    from .. import model as _model  # noqa: F401  registers SpecAugment, so improved models can be read
    from .quiet_tensorflow import keras

    path = Path(path)
    _warn_when_keras_is_old(keras.__version__)
    if not path.is_file():
        raise ModelFileError(f"{path}: no saved model there (train one in notebooks/05_cnn.ipynb)")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path}: not a .keras model file (damaged, or a different format)")
    try:
        # safe_mode (Keras's default, said here so no one drops it): a file that would run Python code
        # when loaded, such as a Lambda layer, is refused. Keras >= 3.11.3 (requirements.txt) closes
        # the known ways around it (CVE-2025-1550, CVE-2025-8747, CVE-2025-9906).
        return keras.saving.load_model(path, safe_mode=True)
    except Exception as error:  # Keras raises many kinds; the reader needs the file and the cause
        if "safe_mode" in str(error):
            raise ModelFileError(f"{path}: refused, it holds Python code that would run when loaded (a Lambda layer "
                                 f"or the like); the series saves no such model, so load it only from a source "
                                 f"you trust, with keras.saving.load_model(..., safe_mode=False)") from None
        raise ModelFileError(f"{path}: cannot be loaded as a Keras model ({type(error).__name__}: {error})") from None


def _warn_when_keras_is_old(version: str) -> None:
    import warnings

    def numbers(text):
        return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())

    if numbers(version) < numbers(SAFE_KERAS):
        warnings.warn(f"Keras {version} can be made to run code by a crafted .keras file despite safe_mode; "
                      f"load only models you made, or run  pip install -U \"keras>={SAFE_KERAS}\"", stacklevel=3)


def load_history(path: Path) -> tuple[dict, str]:
    """The history and fingerprint saved beside a model by `save_run`."""
    saved = json.loads(Path(path).with_suffix(".json").read_text())
    return saved["history"], saved["fingerprint"]


def saved_fingerprint(path: Path) -> str:
    """The fingerprint inside a model file, when it agrees with the one beside it; else ""."""
    try:
        with zipfile.ZipFile(path) as archive:
            inside = json.loads(archive.read(RECORD_IN_MODEL))["fingerprint"]
        return inside if inside == load_history(path)[1] else ""
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return ""


def read_folds(path: Path) -> dict[str, dict]:
    """The folds kept in a `.cv.json` file, by fingerprint; empty when there is none yet.

    Raises:
        ModelFileError: the file is there but damaged, or not a folds file: never read as empty,
            which would let the next fold overwrite the folds it holds (`add_fold` sets it aside).
    """
    path = Path(path)
    try:
        saved = json.loads(path.read_text())["folds"]
        if not isinstance(saved, dict):
            raise TypeError(f"'folds' is a {type(saved).__name__}")
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ModelFileError(f"{path}: damaged, or not a file of cross-validation folds "
                             f"({type(error).__name__}: {error})") from None
    return {key: fold for key, fold in saved.items() if isinstance(fold, dict) and "record" in fold}


def readable_folds(path: Path) -> dict[str, dict]:
    """`read_folds`, but a damaged file is renamed `<name>.damaged` (kept, never deleted) and
    reported, and the folds start again: what `cross_validate` does before it trains."""
    import warnings

    try:
        return read_folds(path)
    except ModelFileError as error:
        aside = Path(path).with_name(Path(path).name + ".damaged")
        os.replace(path, aside)
        warnings.warn(f"{error}; kept as {aside.name}, and its folds are trained again", stacklevel=2)
        return {}


def add_fold(path: Path, key: str, fold: dict) -> dict[str, dict]:
    """Add one fold to a `.cv.json` file: read, add, write under a lock, so two runs that
    cross-validate into the same file (a notebook and the command line) both keep their folds."""
    with locked(path):
        saved = readable_folds(path)  # again: another run may have added folds since
        saved[key] = fold
        write_folds(path, saved)
    return saved


def write_folds(path: Path, folds: dict[str, dict]) -> None:
    """Write the folds (by fingerprint, each with its readable record) to a `.cv.json` file, atomically."""
    write_text_atomically(path, json.dumps({"folds": folds}))


def classifier_state(classifier) -> dict:
    """A fitted scikit-learn pipeline of a StandardScaler and a LogisticRegression as plain numbers
    (JSON): the scaler's means and scales, the regression's weights, intercepts and classes. Saved
    this way, a model file is readable text and loading it runs no code (a pickle could)."""
    scaler, regression = classifier[0], classifier[-1]
    return {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(), "coef": regression.coef_.tolist(),
            "intercept": regression.intercept_.tolist(), "classes": regression.classes_.tolist()}


def classifier_from_state(state: dict, classifier):
    """`classifier` (an unfitted pipeline of the same two steps) given the numbers `classifier_state`
    wrote down, ready to predict."""
    import numpy as np

    scaler, regression = classifier[0], classifier[-1]
    scaler.mean_, scaler.scale_ = np.array(state["mean"]), np.array(state["scale"])
    scaler.var_, scaler.n_features_in_, scaler.n_samples_seen_ = scaler.scale_ ** 2, len(scaler.mean_), 0
    regression.coef_, regression.intercept_ = np.array(state["coef"]), np.array(state["intercept"])
    regression.classes_, regression.n_features_in_ = np.array(state["classes"]), len(scaler.mean_)
    return classifier


def save_classifier(classifier, path: Path, record: dict) -> None:
    """Write a fitted classifier (`classifier_state`) and its record to `path` (.json), whole or not at all."""
    write_text_atomically(Path(path), json.dumps({"record": record, "classifier": classifier_state(classifier)}, indent=1))


def load_classifier(path: Path, classifier, model: str):
    """(classifier, record) from a file `save_classifier` wrote for `model` (the record's "model").

    Raises:
        ModelFileError: the file is missing, damaged, or holds another kind of model.
    """
    try:
        saved = json.loads(Path(path).read_text())
        found = saved["record"].get("model")
        if found != model:
            raise ValueError(f"it holds a {found!r} model")
        return classifier_from_state(saved["classifier"], classifier), saved["record"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise ModelFileError(f"{path}: not a {model} model saved by `python -m helpers train --model {model}` "
                             f"({type(error).__name__}: {error})") from None
