"""Names of a package loaded on first use (PEP 562), so that importing the package loads nothing
it does not need (``import scalinglab`` and ``scalinglab --help`` stay quick).

Each object keeps its real home: a class's ``__module__`` is the module that defines it, so
pickling (joblib's worker processes) and ``help()`` are unchanged. Once loaded, a name is a
plain attribute of the package.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence


def lazy(package: str, names: Mapping[str, str], submodules: Sequence[str] = ()) -> tuple[Callable, Callable]:
    """``(__getattr__, __dir__)`` for ``package``: ``names`` maps a public name to the submodule
    (relative to the package) that defines it; ``submodules`` are loaded as themselves."""
    module_globals = importlib.import_module(package).__dict__

    def __getattr__(name: str):
        if name in names:
            value = getattr(importlib.import_module(f".{names[name]}", package), name)
        elif name in submodules:
            value = importlib.import_module(f".{name}", package)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module_globals[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(module_globals) | set(names) | set(submodules))

    return __getattr__, __dir__
