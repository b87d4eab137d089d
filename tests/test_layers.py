"""helpers is layered: every import between its modules points one way, with no circles,
including the imports made inside functions (which hide a circle from Python, not from a reader)."""

import ast
from pathlib import Path

HELPERS = Path(__file__).resolve().parent.parent / "helpers"


def imports_between_modules() -> dict[str, set[str]]:
    """For each module of helpers, the modules of helpers it imports, anywhere in its code."""
    graph = {}
    for path in HELPERS.glob("*.py"):
        if path.stem == "__main__":  # the command line sits on top of everything
            continue
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:  # from . import x
                    found.update(alias.name for alias in node.names if (HELPERS / f"{alias.name}.py").is_file())
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("helpers."):
                found.add(node.module.split(".")[1])
        graph[path.stem] = found - {path.stem}
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


def test_helpers_has_no_import_circles():
    graph = imports_between_modules()
    graph.pop("__init__")  # re-exports only: it imports the modules, none imports it back (checked below)
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_no_module_imports_the_package_itself():
    """`from . import x` of a name defined in __init__ would tie a module to the whole package."""
    for path in HELPERS.glob("*.py"):
        if path.stem in ("__init__", "__main__", "colab"):  # colab's set-up cell imports helpers as a reader does
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module:
                names = [a.name for a in node.names if not (HELPERS / f"{a.name}.py").is_file()]
                assert not names, f"{path.name} imports {names} from the package"


def test_the_checker_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
