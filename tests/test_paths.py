"""The one path guard (`azureml_emulator.paths`): how a client's relative path is resolved
inside a folder, and every way of leaving it refused with the caller's own error."""
import os

import pytest

from azureml_emulator import paths
from azureml_emulator.paths import Why


class Refused(Exception):
    pass


def refuse(path, why):
    return Refused(path, why)


@pytest.mark.parametrize("given, resolved", [
    ("a.txt", "a.txt"),
    ("./outputs/model.pkl", "outputs/model.pkl"),
    ("outputs/../x", "x"),
    ("a//b/./c/", "a/b/c"),
    ("a\\b\\..\\c", "a/c"),
    ("a/b/../../c", "c"),
    ("...", "..."),            # a name of dots that is no dot segment is a name
    ("a..b/c", "a..b/c"),
])
def test_a_path_inside_its_folder_resolves_as_a_urls_dot_segments_do(given, resolved):
    assert paths.resolve(given, refuse) == resolved


@pytest.mark.parametrize("given, why", [
    ("../../escape.txt", Why.OUTSIDE),
    ("outputs/../../../x", Why.OUTSIDE),
    ("..\\..\\x", Why.OUTSIDE),
    ("a/../..", Why.OUTSIDE),
    ("/etc/passwd", Why.ABSOLUTE),
    ("\\etc\\passwd", Why.ABSOLUTE),
    ("a\0b", Why.NUL),
    ("", Why.ROOT),
    ("a/..", Why.ROOT),
    (None, Why.NOT_TEXT),
])
def test_every_way_out_is_refused_with_the_callers_error(given, why):
    with pytest.raises(Refused) as refused:
        paths.resolve(given, refuse)
    assert refused.value.args == (given if isinstance(given, str) else repr(given), why)


def test_the_root_itself_only_when_the_caller_allows_it(tmp_path):
    assert paths.resolve("a/..", refuse, allow_root=True) == ""
    assert paths.inside(tmp_path, "", refuse, allow_root=True) == tmp_path.resolve()
    with pytest.raises(Refused):
        paths.inside(tmp_path, "", refuse)


def test_inside_joins_the_real_root_and_writes_nothing(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real)
    assert paths.inside(tmp_path / "alias", "a/../b/c.txt", refuse) == real / "b" / "c.txt"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["alias", "real"]


def test_a_symbolic_link_inside_the_folder_cannot_lead_out_of_it(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "door").symlink_to(outside)
    (root / "dangling").symlink_to(outside / "not-yet.txt")
    (root / "inner").mkdir()
    (root / "shortcut").symlink_to(root / "inner")
    for through in ("door/secret.txt", "door", "dangling"):
        with pytest.raises(Refused) as refused:
            paths.inside(root, through, refuse)
        assert refused.value.args == (through, Why.SYMLINK)
    # A link that stays inside the folder is a path inside it.
    assert paths.inside(root, "shortcut/x", refuse) == root.resolve() / "shortcut" / "x"
    assert os.listdir(outside) == []
