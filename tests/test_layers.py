"""helpers is layered, and its folders say so: the lessons at the top level, the data sources in
helpers/data/, the pretrained network in helpers/pretrained/, plumbing in helpers/plumbing/. Every
import between its modules points one way, with no circles, including the imports made inside
functions (which hide a circle from Python, not from a reader)."""

import ast
import subprocess
import sys
from pathlib import Path

HELPERS = Path(__file__).resolve().parent.parent / "helpers"

LESSONS = {"settings", "collection", "load", "segment", "spectrogram", "dataset", "labels", "split", "model",
           "pipelines", "train", "evaluate", "history", "baseline", "sources", "musical_features"}
"""The modules a notebook teaches: one per step, at the top of helpers/ (see helpers/__init__.py)."""

GENERIC_PLUMBING = {"plumbing.errors", "plumbing.atomic", "plumbing.progress", "plumbing.quiet_tensorflow"}
"""Plumbing that knows nothing of music: it imports no other module of helpers outside these."""


def module_name(path: Path) -> str:
    """'train' for helpers/train.py, 'plumbing.saved' for helpers/plumbing/saved.py."""
    return ".".join(path.relative_to(HELPERS).with_suffix("").parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in HELPERS.rglob("*.py")
            if p.stem not in ("__init__", "__main__")}


def resolve(importer: str, node: ast.ImportFrom, known: set[str]) -> set[str]:
    """The helpers modules an import names, as dotted names below helpers."""
    if node.level == 0:
        if not (node.module or "").startswith("helpers."):
            return set()
        base = node.module.split(".")[1:]
    else:
        package = importer.split(".")[:-1]
        if node.level > 1:
            package = package[:len(package) - (node.level - 1)]
        base = package + (node.module.split(".") if node.module else [])
    found = set()
    for alias in node.names:  # `from .plumbing import saved` names a module
        if ".".join(base + [alias.name]) in known:
            found.add(".".join(base + [alias.name]))
    if not found and ".".join(base) in known:
        found.add(".".join(base))
    return found


def imports_between_modules() -> dict[str, set[str]]:
    """For each module of helpers, the modules of helpers it imports, anywhere in its code."""
    known = set(modules())
    graph = {}
    for name, path in modules().items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                found |= resolve(name, node, known)
        graph[name] = found - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_top_level_holds_the_lessons_and_nothing_else():
    top = {p.stem for p in HELPERS.glob("*.py")} - {"__init__", "__main__"}
    assert top == LESSONS
    assert {p.name for p in HELPERS.iterdir() if p.is_dir() and p.name != "__pycache__"} == {"data", "plumbing",
                                                                                           "pretrained"}


def test_helpers_has_no_import_circles():
    graph = imports_between_modules()
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_lessons_need_neither_a_data_source_nor_the_pretrained_network():
    for name, imported in imports_between_modules().items():
        if name in LESSONS:
            assert not {m for m in imported if m.startswith(("data.", "pretrained."))}, name
        if name.startswith(("data.", "plumbing.")):
            assert not {m for m in imported if m.startswith("pretrained.")}, name
        if name.startswith("plumbing."):
            assert not {m for m in imported if m.startswith("data.")}, name


def test_generic_plumbing_knows_nothing_of_music():
    for name in GENERIC_PLUMBING:
        assert imports_between_modules()[name] <= GENERIC_PLUMBING, name


def test_no_module_imports_the_package_itself():
    """`from helpers import x` of a name defined in __init__ would tie a module to the whole package."""
    for name, path in modules().items():
        if name == "plumbing.colab":  # its set-up cell imports helpers as a reader does
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                package = name.split(".")[:-1]
                if node.level and node.level - 1 == len(package) and not node.module:
                    assert all(f"{alias.name}" in modules() for alias in node.names), f"{name} imports from helpers itself"
            if isinstance(node, ast.Import):
                assert all(a.name != "helpers" for a in node.names), f"{name} imports helpers"


def test_the_checker_sees_imports_across_folders():
    graph = imports_between_modules()
    assert "plumbing.saved" in graph["train"]  # from .plumbing.saved import ...
    assert "load" in graph["pretrained.musicnn"]  # from ..load import load_song
    assert "pretrained.musicnn" in graph["pretrained.transfer"]  # from . import musicnn


def test_the_checker_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_import_helpers_loads_no_tensorflow_until_a_model_is_asked_for():
    code = ("import sys, helpers; assert 'tensorflow' not in sys.modules, 'import helpers loaded TensorFlow'; "
            "helpers.original_cnn; assert 'tensorflow' in sys.modules; "
            "from helpers.model import original_cnn; assert helpers.original_cnn is original_cnn; "
            "assert 'fit' in dir(helpers); print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]
