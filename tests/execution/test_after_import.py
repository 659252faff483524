"""Adjusting a module once it is imported: at once when it already is, right after its code
ran when it is imported later, never once the wait is cancelled."""
import importlib
import sys

from azureml_emulator.execution.after_import import when_imported


def write_module(tmp_path, monkeypatch, name):
    (tmp_path / (name + ".py")).write_text("VALUE = 'as written'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)


def test_a_module_imported_later_is_adjusted_after_its_code_ran(tmp_path, monkeypatch):
    write_module(tmp_path, monkeypatch, "later_module")
    seen = []
    finders = len(sys.meta_path)
    when_imported("later_module", lambda module: seen.append(module.VALUE))
    assert seen == [] and len(sys.meta_path) == finders + 1
    module = importlib.import_module("later_module")
    assert seen == ["as written"] and module.__name__ == "later_module"
    assert len(sys.meta_path) == finders   # the finder is gone once it has done its work


def test_a_module_already_imported_is_adjusted_at_once(tmp_path, monkeypatch):
    write_module(tmp_path, monkeypatch, "early_module")
    importlib.import_module("early_module")
    seen = []
    finders = list(sys.meta_path)
    cancel = when_imported("early_module", lambda module: seen.append(module.VALUE))
    assert seen == ["as written"] and sys.meta_path == finders
    cancel()   # nothing to cancel: does nothing


def test_a_cancelled_wait_adjusts_nothing(tmp_path, monkeypatch):
    write_module(tmp_path, monkeypatch, "never_adjusted")
    seen = []
    finders = len(sys.meta_path)
    when_imported("never_adjusted", seen.append)()
    assert len(sys.meta_path) == finders
    importlib.import_module("never_adjusted")
    assert seen == []


def test_other_modules_import_as_usual(tmp_path, monkeypatch):
    write_module(tmp_path, monkeypatch, "unrelated_module")
    cancel = when_imported("some_other_module", lambda module: None)
    try:
        assert importlib.import_module("unrelated_module").VALUE == "as written"
    finally:
        cancel()


def test_a_module_of_a_package_is_adjusted_and_a_failing_callback_leaves_it_usable(tmp_path, monkeypatch, capsys):
    package = tmp_path / "adjusted_package"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "inner.py").write_text("VALUE = 'inner'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("adjusted_package", "adjusted_package.inner"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    seen = []
    when_imported("adjusted_package.inner", lambda module: seen.append(module.VALUE) or 1 / 0)
    assert importlib.import_module("adjusted_package.inner").VALUE == "inner"
    assert seen == ["inner"]
    assert capsys.readouterr().err == ("azureml_emulator: could not adjust adjusted_package.inner "
                                       "(ZeroDivisionError: division by zero); it is used as it is\n")
