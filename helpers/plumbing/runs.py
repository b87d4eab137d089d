"""What makes a trained model: a run specification, and the fingerprint that decides whether a
saved model or fold may be reused.

A `RunSpec` says how a model is made: which builder of helpers/model.py with which options, how
`helpers.train.fit` trains it (the plan: epochs, early stopping, batch size, weights, mixup), on
which features, from which seed, and by which version of the training code. `run_record` adds
what it was trained on (a hash of the very arrays X, y and groups, the songs' names, the split)
and the library versions; `fingerprint` hashes that record. A saved model or fold is reused only
when its fingerprint is equal, so changing any of these trains again: nothing is guessed from a
model's name.

Taught in notebooks/05_cnn.ipynb. No TensorFlow here: the model and its library are given.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

TRAINING_CODE = ("train.py", "pipelines.py", "labels.py", "model.py")
"""The modules of helpers whose code decides how a model trains (`training_code_version`)."""


@functools.lru_cache(maxsize=1)
def training_code_version() -> str:
    """A hash of the code that trains a model: the modules in `TRAINING_CODE`, read as Python
    without their docstrings and comments. Edit `fit`, the input pipelines, the piece weights, a
    builder or a layer such as SpecAugment, and every saved model and fold is trained again;
    rewording a docstring changes nothing. Computed once per session, for the code it runs."""
    digest = hashlib.sha256()
    for name in TRAINING_CODE:
        tree = ast.parse((Path(__file__).parent.parent / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list):  # drop every bare string: docstrings and attribute docstrings
                kept = [n for n in body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
                                                and isinstance(n.value.value, str))]
                node.body = kept or [ast.Pass()]
        digest.update(ast.unparse(tree).encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class RunSpec:
    """How a model is made, in a form that can be written down (`as_dict`) and read back.

    Attributes:
        builder: the name of a builder in `helpers.model.BUILDERS`, e.g. "improved_cnn".
        options: the builder's keyword arguments, e.g. {"batch_norm": False}.
        plan: `helpers.train.fit`'s plan: "epochs", "patience" (None: no early stopping),
            "batch_size", "balance" (piece weights) and "mixup" (0: none).
        features: the settings that made the features (`Settings.feature_key`).
        seed: seeds the initial weights, the batches' order and the augmentation.
        code: `training_code_version()` when the spec was made.
    """

    builder: str
    plan: dict
    features: dict
    seed: int
    options: dict = field(default_factory=dict)
    code: str = field(default_factory=training_code_version)

    def build(self, input_shape: tuple[int, ...], n_genres: int):
        """A fresh compiled model: the builder called with its options and this spec's seed."""
        from ..model import BUILDERS

        return BUILDERS[self.builder](input_shape, n_genres, seed=self.seed, **self.options)

    def with_plan(self, **changes) -> "RunSpec":
        """The same spec with some of the plan changed, e.g. `spec.with_plan(epochs=2)`."""
        return dataclasses.replace(self, plan={**self.plan, **changes})

    def with_seed(self, seed: int) -> "RunSpec":
        return dataclasses.replace(self, seed=int(seed))

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, saved: dict) -> "RunSpec":
        return cls(**saved)


def run_spec(build, settings, **plan) -> RunSpec:
    """The spec of a model of the series, trained as its builder is by default
    (`helpers.model.training_plan`), with any of the plan changed by keyword.

    Taught in notebooks/05_cnn.ipynb.

    Args:
        build: a builder of helpers/model.py, or a `functools.partial` of one (its keywords
            become the spec's options), e.g. `partial(improved_cnn, batch_norm=False)`.
        settings: the feature settings and the seed (and epochs, patience) come from here.
        plan: changes to the default plan, e.g. `mixup=0.2` or `epochs=2`.

    Raises:
        ValueError: `build` is not one of `helpers.model.BUILDERS` (then make the spec yourself,
            with `RunSpec`, after adding your builder to that dictionary).
    """
    from ..model import BUILDERS, training_plan

    function, options = (build.func, dict(build.keywords)) if isinstance(build, functools.partial) else (build, {})
    name = getattr(function, "__name__", repr(function))
    if BUILDERS.get(name) is not function:
        raise ValueError(f"{name} is not a builder of helpers.model.BUILDERS ({', '.join(BUILDERS)}): add it there, "
                         f"so that a saved run can say how its model was built")
    return RunSpec(builder=name, plan={**training_plan(name, settings), **plan}, features=settings.feature_key,
                   seed=settings.seed, options=options)


def content_hash(array: np.ndarray) -> str:
    """A hash of an array's values, shape and type: equal only for equal arrays."""
    array = np.ascontiguousarray(array)
    digest = hashlib.sha256(f"{array.dtype.str} {array.shape}".encode())
    digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def _canonical(config):
    """A model's configuration (or compile configuration) with the names of its layers replaced
    by their order of appearance: Keras numbers them per session (conv2d, conv2d_1, ...), so the
    same model built twice has other names but the same architecture. Only the names of layers
    (and other Keras objects) are renamed, never a dtype policy's ("float32", "mixed_float16")."""
    names: dict[str, str] = {}

    def collect(value):
        if isinstance(value, dict):
            config = value.get("config")
            if (isinstance(config, dict) and isinstance(config.get("name"), str)
                    and not str(value.get("class_name", "")).endswith("DTypePolicy")):
                names.setdefault(config["name"], f"#{len(names)}")
            for item in value.values():
                collect(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)

    def rename(value):
        if isinstance(value, dict):
            return {key: rename(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):  # Keras keeps some lists as tuples (keras_history)
            return [rename(item) for item in value]
        return names.get(value, value) if isinstance(value, str) else value

    if isinstance(config, dict) and isinstance(config.get("name"), str):
        names.setdefault(config["name"], "#model")  # the model's own name too ("sequential_3")
    collect(config)
    return rename(config)


def _plain(value):
    """What JSON cannot encode by itself: numpy's scalars. Anything else is an error, never text."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot fingerprint a {type(value).__name__}: {value!r}")


def _hash(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=_plain).encode()).hexdigest()[:16]


def library_versions() -> dict[str, str]:
    """The versions of the libraries a trained model depends on."""
    import keras
    import tensorflow as tf

    from ..dataset import feature_versions

    return {"keras": keras.__version__, "tensorflow": tf.__version__, "numpy": np.__version__, **feature_versions()}


def run_record(model, dataset, split, spec: RunSpec) -> dict:
    """Everything a trained model depends on, and everything needed to use it: its `RunSpec`, the
    genres, hashes of the data it was fed (the arrays X, y and groups themselves, and the songs'
    names), the split (its rule and its pieces), the library versions, and hashes of the model's
    architecture and compile settings (optimiser, learning rate, loss).

    Saved with the model (`helpers.plumbing.saved.save_run`); `python -m helpers predict` reads its genres
    and feature settings from there. Its hash (`fingerprint`) decides whether a saved model or
    fold can be reused.

    Taught in notebooks/05_cnn.ipynb.
    """
    return {"spec": spec.as_dict(), "genres": list(dataset.genres),
            "data": {"X": content_hash(dataset.X), "y": content_hash(dataset.y),
                     "groups": content_hash(dataset.groups), "songs": _hash(dataset.song_names)},
            "split": {"rule": split.rule, "pieces": _hash({name: index.tolist() for name, index in split.items()})},
            "versions": library_versions(),
            "model": _hash(_canonical(model.get_config())), "compile": _hash(_canonical(model.get_compile_config()))}


def fingerprint(record: dict) -> str:
    """A short hash of a `run_record`: equal only when everything the model depends on is."""
    return _hash(record)
