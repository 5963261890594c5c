"""The layers point one way: kernel <- alliance (core) <- members <- governance, cooperation and publicity
(side by side, none importing another) <- assessments, with the wiring (config) above them all. A lower layer
never imports a higher one, at module level or inside a function; a lower layer that must react to a higher
one offers a hook (a signal or a registry)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Each package and the project packages it may import (besides itself).
ALLOWED = {
    "kernel": set(),
    "alliance": {"kernel"},
    "members": {"kernel", "alliance"},
    "governance": {"kernel", "alliance", "members"},
    "cooperation": {"kernel", "alliance", "members"},
    "publicity": {"kernel", "alliance", "members"},
    "matching": {"kernel", "alliance", "members", "cooperation"},
    "assessments": {"kernel", "alliance", "members", "governance", "cooperation", "publicity", "matching"},
    "config": {"kernel", "alliance", "members", "governance", "cooperation", "publicity", "matching",
               "assessments"},
}
PROJECT = set(ALLOWED)


def _modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imports(tree: ast.AST):
    """(top-level package, line, inside a function) for every import in the tree."""
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    nested = {id(child) for function in functions for child in ast.walk(function) if child is not function}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            yield name.split(".")[0], node.lineno, id(node) in nested


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_layer_imports_only_the_layers_below_it(package):
    offences = []
    for path in _modules(package):
        for top, line, _local in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if top in PROJECT and top != package and top not in ALLOWED[package]:
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    assert not offences, "\n".join(offences)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_function_imports_a_project_module_to_dodge_a_cycle(package):
    """Registrations in AppConfig.ready() are the exception: Django loads models before them."""
    offences = []
    for path in _modules(package):
        if path.name == "apps.py":
            continue
        for top, line, local in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if local and top in PROJECT:
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {top} inside a function")
    assert not offences, "\n".join(offences)


def test_the_check_itself_catches_an_upward_import(tmp_path):
    tree = ast.parse("def f():\n    from assessments.models import Cycle\nimport governance.models\n")
    found = list(_imports(tree))
    assert ("assessments", 2, True) in found and ("governance", 3, False) in found
