"""Tab completion from the live namespace: names, attributes along a dotted path, and imports.

Attribute paths are followed with ``inspect.getattr_static``, so completing never
runs a property or ``__getattr__`` of the user's objects; import completion never
imports anything.
"""

from __future__ import annotations

import ast
import builtins
import importlib.machinery
import importlib.util
import inspect
import keyword
import pkgutil
import re
import sys
from typing import Any

_TAIL = re.compile(r"((?:[A-Za-z_]\w*\.)*)([A-Za-z_]\w*)?$")
_MISSING = object()


def complete(text_before_cursor: str, namespace: dict[str, Any]) -> tuple[str, list[str]]:
    """The word being completed and its candidates, sorted; private names only once ``_`` is typed."""
    imported = complete_import(text_before_cursor.rpartition("\n")[2])
    if imported is not None:
        return imported
    match = _TAIL.search(text_before_cursor)
    if match is None:
        return "", []
    path, word = match.group(1), match.group(2) or ""
    if path:
        preceding = text_before_cursor[: match.start()]
        if preceding.endswith((".", "'", '"')) or re.search(r"\d$", preceding):
            return word, []
        target = _resolve(path[:-1].split("."), namespace)
        if target is _MISSING:
            return word, []
        candidates = set(_safe_dir(target))
    else:
        if not word:
            return "", []
        candidates = set(namespace) | set(dir(builtins)) | set(keyword.kwlist) | set(keyword.softkwlist)
    hide_private = not word.startswith("_")
    return word, sorted(c for c in candidates if c.startswith(word) and not (hide_private and c.startswith("_")))


def _resolve(names: list[str], namespace: dict[str, Any]) -> Any:
    first, *rest = names
    value = namespace.get(first, getattr(builtins, first, _MISSING))
    for name in rest:
        if value is _MISSING:
            return _MISSING
        try:
            value = inspect.getattr_static(value, name)
        except AttributeError:
            return _MISSING
        if isinstance(value, (property, classmethod, staticmethod)) or hasattr(type(value), "__set__"):
            return _MISSING  # a descriptor: its value needs code to run
    return value


def _safe_dir(value: Any) -> list[str]:
    try:
        return [name for name in dir(value) if isinstance(name, str)]
    except Exception:  # noqa: BLE001 - a user's __dir__ may raise anything
        return []


# --- imports ------------------------------------------------------------------------------------

_IMPORT = re.compile(r"^\s*(?:import|from)\s+([\w.]*)$")
_FROM_IMPORT = re.compile(r"^\s*from\s+([\w.]+)\s+import\s+(?:.*,\s*)?(\w*)$")
_modules: dict[tuple[str, ...], list[str]] = {}


def complete_import(text_before_cursor: str) -> tuple[str, list[str]] | None:
    """``import asy<Tab>``, ``from asyncio import Ta<Tab>``: the word and its candidates, or None if not an import.

    Nothing is imported to complete: module names come from the folders on
    ``sys.path`` (listed once per ``sys.path``), a module's names from
    ``sys.modules`` if it is loaded, else from its source's top-level definitions.
    """
    found = _FROM_IMPORT.match(text_before_cursor)
    if found:
        module, word = found.groups()
        return word, sorted(name for name in _names_in(module) if name.startswith(word) and not name.startswith("_"))
    found = _IMPORT.match(text_before_cursor)
    if found is None:
        return None
    dotted = found.group(1)
    package, _, word = dotted.rpartition(".")
    candidates = _submodules(package) if package else _top_level_modules()
    return word, sorted(name for name in candidates if name.startswith(word) and (word.startswith("_") or not name.startswith("_")))


def _top_level_modules() -> list[str]:
    key = tuple(sys.path)
    if key not in _modules:
        names = {info.name for info in pkgutil.iter_modules()}
        _modules[key] = sorted(names | set(sys.builtin_module_names))
    return _modules[key]


def _submodules(package: str) -> list[str]:
    spec = _find(package)
    if spec is None or not spec.submodule_search_locations:
        return []
    return [info.name for info in pkgutil.iter_modules(spec.submodule_search_locations)]


def _names_in(module: str) -> list[str]:
    loaded = sys.modules.get(module)
    if loaded is not None:
        return _safe_dir(loaded)
    names = set(_submodules(module)) | _defined_in(module)
    return sorted(names)


def _defined_in(module: str, *, spec: importlib.machinery.ModuleSpec | None = None, follow_stars: bool = True) -> set[str]:
    """Top-level names of a module's source; ``from .part import *`` is followed once (asyncio's own style)."""
    spec = spec or _find(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return set()
    try:
        with open(spec.origin, encoding="utf-8") as source:
            tree = ast.parse(source.read())
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.ImportFrom) and [alias.name for alias in node.names] == ["*"]:
            locations = spec.submodule_search_locations
            if follow_stars and node.level == 1 and node.module and locations:
                part = importlib.machinery.PathFinder.find_spec(node.module, list(locations))
                names |= _defined_in(node.module, spec=part, follow_stars=False) if part is not None else set()
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _find(module: str) -> importlib.machinery.ModuleSpec | None:
    """The module's spec without importing it, or its parents: None when that would mean running code."""
    if "." in module and module.rpartition(".")[0] not in sys.modules:
        return None  # finding a submodule imports its package
    try:
        return importlib.util.find_spec(module)
    except (ImportError, ValueError, AttributeError):
        return None
