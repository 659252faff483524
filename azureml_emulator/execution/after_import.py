"""Run a function on a module as soon as it is imported (at once if it already is).

For the few SDK attributes the emulator adjusts in modules that are slow to import and
often not used (azureml-mlflow's cloud table): importing them up front would slow every
kernel and job down. Standard library only, so a job's runtime can use it in any
Environment. A callback that fails leaves the module as it is and says so: the import
itself never fails because of it.
"""
import importlib.abc
import importlib.util
import sys
from types import ModuleType
from typing import Any, Callable, Optional, Sequence


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, name: str, callback: Callable[[ModuleType], None]) -> None:
        self.name, self.callback = name, callback

    def cancel(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)

    def find_spec(self, fullname: str, path: Optional[Sequence[str]], target: Any = None) -> Any:
        if fullname != self.name:
            return None
        self.cancel()   # the other finders find the module, as they would without this one
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader, callback = spec.loader, self.callback

        class Loader(importlib.abc.Loader):
            def create_module(self, spec: Any) -> Any:
                return loader.create_module(spec)

            def exec_module(self, module: ModuleType) -> None:
                loader.exec_module(module)
                _call(callback, module)

        spec.loader = Loader()
        return spec


def _call(callback: Callable[[ModuleType], None], module: ModuleType) -> None:
    try:
        callback(module)
    except Exception as error:   # a version of the module without what is adjusted: leave it be
        print("azureml_emulator: could not adjust {} ({}: {}); it is used as it is".format(
            module.__name__, type(error).__name__, error), file=sys.stderr)


def when_imported(name: str, callback: Callable[[ModuleType], None]) -> Callable[[], None]:
    """Call ``callback(module)`` once module ``name`` is imported; returns a function that
    stops waiting for it (it does nothing once the callback ran)."""
    if name in sys.modules:
        _call(callback, sys.modules[name])
        return lambda: None
    finder = _Finder(name, callback)
    sys.meta_path.insert(0, finder)
    return finder.cancel
