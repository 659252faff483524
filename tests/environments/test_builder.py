"""The environment builder's own contract, on tiny definitions served by a local package index:
what a build installs and from where, when a build is reused, what a failed build says and
leaves behind, building from uv's cache when the index is unreachable, sources built only
where no wheel exists, the builds in the cache and pruning them.

Each build here takes a fraction of a second, so these tests also carry the mutation
benchmark of the builder (tests/environments/test_builds.py deploys real environments)."""
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from azureml_emulator.environments import builder, interpreters
from azureml_emulator.environments.definition import BuildSpec, image_hash
from azureml_emulator.errors import BuildError
from local_index import LocalIndex

THIS_PYTHON = "%d.%d.%d" % sys.version_info[:3]
THIS_MINOR = "%d.%d" % sys.version_info[:2]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A build cache and a uv cache of the test's own, and none of the machine's index settings."""
    root = tmp_path / "user-cache" / "not-yet-made"
    monkeypatch.setenv("AZUREML_EMULATOR_CACHE", str(root))
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    for variable in [v for v in os.environ if v.startswith(("PIP_INDEX", "PIP_EXTRA", "PIP_FIND", "UV_INDEX",
                                                            "UV_DEFAULT_INDEX", "UV_EXTRA", "UV_FIND"))]:
        monkeypatch.delenv(variable)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    return root / "environments"


@pytest.fixture
def index(tmp_path):
    served = LocalIndex(tmp_path / "index")
    yield served
    served.stop()


def spec(index=None, *requirements, name="tiny", version="1", python=THIS_MINOR, options=()):
    pip_options = (("--index-url", index.url) if index else ()) + tuple(options)
    return BuildSpec(name=name, version=version, python_version=python, requirements=tuple(requirements),
                     pip_options=pip_options)


def run_in(build, code):
    return subprocess.run([build.python, "-I", "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def installed(build):
    listing = run_in(build, "import importlib.metadata as m; print(sorted((d.metadata['Name'], d.version) "
                            "for d in m.distributions()))")
    return dict(eval(listing))


def test_a_build_installs_exactly_the_pins_into_a_venv_of_its_own(cache, index):
    index.wheel("tinya", "1.0")
    index.wheel("tinya", "2.0")
    build = builder.prepare(spec(index, "tinya==1.0"))
    digest = image_hash(spec(index, "tinya==1.0"))
    # compiled to bytecode at install (before anything imports it), as pip does: the build's processes
    # start from .pyc files even where Python may not write them (PYTHONDONTWRITEBYTECODE)
    assert list((cache / digest / "venv").glob("lib/python*/site-packages/__pycache__/tinya.*.pyc"))
    assert (build.hash, build.path, build.isolated, build.reused) == (digest, cache / digest, True, False)
    assert build.python == str(cache / digest / "venv" / "bin" / "python")
    assert installed(build) == {"tinya": "1.0"}
    assert run_in(build, "import sys; print(sys.prefix)") == str(cache / digest / "venv")
    assert run_in(build, "import tinya; print(tinya.VERSION)") == "1.0"
    assert build.lines[0] == "Building image for environment tiny:1 ({})".format(digest[:12])
    assert build.lines[-1] == "Image built in {:.1f} s".format(build.seconds)
    assert len(build.lines) == 2 and 0 < build.seconds < 60
    assert (build.path / "resolved.txt").read_text().count("tinya==1.0") == 1
    assert any((cache.parent.parent.parent / "uv-cache").iterdir())   # uv ran with the user's own settings


def test_a_build_resolves_dependencies_as_pip_does(cache, index):
    index.wheel("tinya", "1.0", requires=("tinyb>=2",))
    index.wheel("tinyb", "1.0")
    index.wheel("tinyb", "2.5")
    index.wheel("tinyb", "3.0", tag="py2-none-any")   # not for this Python: the resolver skips it
    assert installed(builder.prepare(spec(index, "tinya"))) == {"tinya": "1.0", "tinyb": "2.5"}


def test_preferences_that_leave_no_solution_give_way_to_the_plain_resolution(cache, index):
    """Each alone resolves to its newest (tinya 2.0, tinyb 2.0), but together they cannot both be:
    the build resolves without the preferences (the case pip keeps requested packages newest in is
    tested against the real index, in test_pythons)."""
    index.wheel("tinya", "1.0")
    index.wheel("tinya", "2.0", requires=("tinyb<2",))
    index.wheel("tinyb", "1.0")
    index.wheel("tinyb", "2.0", requires=("tinya<2",))
    built = installed(builder.prepare(spec(index, "tinya", "tinyb")))
    assert built in ({"tinya": "1.0", "tinyb": "2.0"}, {"tinya": "2.0", "tinyb": "1.0"})


def test_requirements_that_conflict_fail_in_resolution_naming_them(cache, index):
    index.wheel("tinya", "1.0", requires=("tinyb>=2",))
    index.wheel("tinyb", "1.0")
    index.wheel("tinyb", "2.5")
    error = build_error(spec(index, "tinya", "tinyb==1.0"))
    assert error.message.startswith("Failed building the Environment tiny:1: the installer (uv) reported:\n"
                                    "error: No solution found when resolving dependencies")
    assert "tinya" in error.message and "tinyb==1.0" in error.message and "unsatisfiable" in error.message
    assert error.message.endswith("\nBuild log: {}".format(error.log_path))
    assert "unreachable" not in error.message


def test_the_ready_record_says_what_was_built(cache, index):
    index.wheel("tinya", "1.0")
    before = time.time()
    build = builder.prepare(spec(index, "tinya==1.0", name="recorded", version="None"))
    record = json.loads((build.path / "ready").read_text())
    assert record == {"environment": "recorded", "python": THIS_PYTHON, "requirements": ["tinya==1.0"],
                      "options": ["--index-url", index.url], "built": record["built"]}
    assert before <= record["built"] <= time.time()
    assert (build.path / "requirements.txt").read_text() == "tinya==1.0\n"
    log = (build.path / "build.log").read_text()
    assert log.startswith("$ {} venv --quiet --python ".format(builder.uv_binary()))
    assert "$ {} pip install --quiet --python {} --only-binary :all:".format(builder.uv_binary(), build.python) in log


def test_a_definition_without_requirements_is_a_bare_venv(cache):
    build = builder.prepare(spec())
    assert installed(build) == {}
    assert not (build.path / "requirements.txt").exists()
    assert len(build.lines) == 2 and build.lines[1].startswith("Image built in ")


def test_the_same_definition_is_reused_and_its_last_use_recorded(cache, index):
    index.wheel("tinya", "1.0")
    first = builder.prepare(spec(index, "tinya==1.0"))
    os.utime(first.path / "ready", (1_000_000, 1_000_000))
    again = builder.prepare(spec(index, "tinya==1.0", name="other-name", version="7"))
    assert (again.python, again.hash, again.path, again.isolated, again.reused) == (
        first.python, first.hash, first.path, True, True)
    assert again.seconds == 0.0
    assert again.lines == ("Reusing image for environment other-name:7 ({})".format(first.hash[:12]),)
    assert (first.path / "ready").stat().st_mtime > time.time() - 60
    assert [b["last_used"] for b in builder.list_builds()] == [(first.path / "ready").stat().st_mtime]


def test_another_definition_is_another_build(cache, index):
    index.wheel("tinya", "1.0")
    index.wheel("tinya", "2.0")
    one, two = builder.prepare(spec(index, "tinya==1.0")), builder.prepare(spec(index, "tinya==2.0"))
    assert one.hash != two.hash and not two.reused
    assert (installed(one), installed(two)) == ({"tinya": "1.0"}, {"tinya": "2.0"})


def test_two_builders_of_one_definition_build_it_once(cache, index):
    index.wheel("tinya", "1.0")
    results = []
    threads = [threading.Thread(target=lambda: results.append(builder.prepare(spec(index, "tinya==1.0"))))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(build.reused for build in results) == [False, True]
    assert installed(results[0]) == {"tinya": "1.0"}


def test_a_build_left_half_done_is_built_again(cache, index):
    index.wheel("tinya", "1.0")
    digest = image_hash(spec(index, "tinya==1.0"))
    (cache / digest / "venv").mkdir(parents=True)
    (cache / digest / "leftover.txt").write_text("from a build that was killed")
    build = builder.prepare(spec(index, "tinya==1.0"))
    assert not build.reused and not (build.path / "leftover.txt").exists()
    assert installed(build) == {"tinya": "1.0"}


def test_the_build_uses_the_pinned_python_and_says_when_it_differs(cache):
    exact = builder.prepare(spec(python=THIS_MINOR))
    assert run_in(exact, "import sys; print('%d.%d' % sys.version_info[:2])") == THIS_MINOR
    assert len(exact.lines) == 2
    other_patch = THIS_MINOR + ".0" if not THIS_PYTHON.endswith(".0") else THIS_MINOR + ".1"
    assert builder.prepare(spec(python=THIS_PYTHON)).lines[1:-1] == ()
    assert builder.prepare(spec(python=other_patch)).lines[1:-1] == (
        "Azure would build with Python {}; this machine's Python {} is used".format(other_patch, THIS_PYTHON),)
    assert builder.prepare(spec(python="3.99")).lines[1:-1] == (
        "Azure would build with Python 3.99; this machine has no Python 3.99, so the environment uses "
        "Python {}".format(THIS_PYTHON),)
    unpinned = builder.prepare(spec(python=None))
    assert unpinned.lines[1:-1] == ("The environment pins no Python; using this Python {}".format(THIS_PYTHON),)
    assert run_in(unpinned, "import sys; print('%d.%d.%d' % sys.version_info[:3])") == THIS_PYTHON


def test_current_mode_and_user_managed_environments_use_this_python(cache):
    current = builder.prepare(spec(name="served"), mode=builder.CURRENT)
    assert current == builder.Build(python=sys.executable, isolated=False, lines=(
        "WARNING: environments='current': serving environment served:1 with this kernel's Python and packages, "
        "not a build of its definition",))
    managed = BuildSpec(name="mine", version="None", python_version=None, user_managed=True)
    assert builder.prepare(managed) == builder.Build(python=sys.executable, isolated=False, lines=(
        "Environment mine has user_managed_dependencies=True: using this Python as it is",))
    assert builder.list_builds() == []


def test_spec_for_reads_the_definition_and_in_current_mode_warns_about_pins(cache, capsys):
    environment = {"name": "pinned", "version": "3", "python": {"condaDependencies": {
        "dependencies": ["python=3.11", {"pip": ["azureml-emulator-not-installed==1.0"]}]}}}
    read = builder.spec_for(environment)
    assert (read.label, read.python_version, read.requirements[-1]) == (
        "pinned:3", "3.11", "azureml-emulator-not-installed==1.0")
    assert capsys.readouterr().out == ""
    assert builder.spec_for(environment, builder.CURRENT) == read
    assert ("WARNING environment pins azureml-emulator-not-installed==1.0 but it is not installed here"
            in capsys.readouterr().out)


def build_error(a_spec, mode=builder.BUILD) -> BuildError:
    with pytest.raises(BuildError) as caught:
        builder.prepare(a_spec, mode)
    return caught.value


def test_a_missing_package_fails_with_uvs_reason_and_keeps_the_log(cache, index):
    error = build_error(spec(index, "nosuchpackage==1.0"))
    digest = image_hash(spec(index, "nosuchpackage==1.0"))
    failed_log = cache / (digest + ".failed.log")
    assert error.message.startswith("Failed building the Environment tiny:1: the installer (uv) reported:\n"
                                    "error: No solution found when resolving dependencies")
    assert "nosuchpackage was not found in the package registry" in error.message
    assert error.message.endswith("\nBuild log: {}".format(failed_log))
    assert error.log_path == failed_log
    assert "$ " in failed_log.read_text() and "nosuchpackage" in failed_log.read_text()
    assert not (cache / digest).exists()
    assert "unreachable" not in error.message and "binary wheels only" not in error.message
    assert builder.list_builds() == []


def test_a_failed_build_is_tried_again_next_time(cache, index):
    build_error(spec(index, "later==1.0"))
    index.wheel("later", "1.0")
    assert installed(builder.prepare(spec(index, "later==1.0"))) == {"later": "1.0"}


def test_a_pin_without_a_wheel_for_this_python_fails_at_once_naming_it(cache, index):
    index.wheel("futureonly", "1.0", tag="cp399-cp399-manylinux_2_17_x86_64")
    error = build_error(spec(index, "futureonly==1.0"))
    assert "You require CPython {}".format(THIS_MINOR) in error.message
    assert ("\nThe Environment's Python is {} (CondaDependencies.create() defaults to 3.10, Environment() and "
            "from_pip_requirements() to 3.8): a wheel must exist for it; pass python_version='X.Y' to choose "
            "another.\nBuild log: ".format(THIS_MINOR)) in error.message
    assert "builds from binary wheels only" not in error.message
    unpinned = build_error(spec(index, "futureonly==1.0", python=None))
    assert "The Environment's Python is not pinned (CondaDependencies" in unpinned.message


def test_a_package_published_only_as_source_is_built_from_it(cache, index):
    index.sdist("srconly", "1.0")
    index.sdist("srcdep", "2.0")
    index.wheel("needsrc", "1.0", requires=("srcdep",))
    build = builder.prepare(spec(index, "srconly==1.0", "needsrc"))
    assert installed(build) == {"srconly": "1.0", "srcdep": "2.0", "needsrc": "1.0"}
    assert run_in(build, "import srconly, srcdep; print(srconly.BUILT_FROM_SOURCE, srcdep.BUILT_FROM_SOURCE)") \
        == "True True"
    assert "--no-binary srconly" in (build.path / "build.log").read_text()
    assert "--no-binary srcdep" in (build.path / "build.log").read_text()


def test_a_version_published_only_as_source_is_built_though_other_versions_have_wheels(cache, index):
    """As pip would build it (wrapt 1.12.1, which old pins ask for, is such a release)."""
    index.sdist("oldsrc", "1.0")
    index.wheel("oldsrc", "2.0")
    index.wheel("needsold", "1.0", requires=("oldsrc==1.0",))
    build = builder.prepare(spec(index, "needsold"))
    assert installed(build) == {"needsold": "1.0", "oldsrc": "1.0"}
    assert run_in(build, "import oldsrc; print(oldsrc.BUILT_FROM_SOURCE)") == "True"


def test_a_source_distribution_beside_wheels_for_other_pythons_is_not_built(cache, index):
    """Refused before anything is resolved, so a source that cannot be built here is never tried."""
    index.sdist("wheelsexist", "1.0", buildable=False)
    index.wheel("wheelsexist", "1.0", tag="py2-none-any")
    error = build_error(spec(index, "wheelsexist==1.0"))
    assert "Wheels are required for `wheelsexist` because building from source is disabled" in error.message
    assert ("\nazureml_emulator builds from binary wheels only; pin a version that publishes a wheel for this "
            "Python and platform.\nThe Environment's Python is {} (".format(THIS_MINOR)) in error.message
    assert "C compiler" not in error.message


def test_a_dependency_published_as_source_beside_wheels_for_other_pythons_fails_at_install(cache, index):
    """The named pins have wheels; a dependency resolved later has none for this Python."""
    index.wheel("needsdep", "1.0", requires=("depsrc",))
    index.sdist("depsrc", "1.0")
    index.wheel("depsrc", "1.0", tag="py2-none-any")
    error = build_error(spec(index, "needsdep==1.0", name="deep"))
    assert error.message.startswith("Failed building the Environment deep:1: the installer (uv) reported:\n")
    assert "Wheels are required for `depsrc` because building from source is disabled" in error.message
    assert "builds from binary wheels only" in error.message
    assert "$ {} pip install".format(builder.uv_binary()) in error.log_path.read_text()


def test_packages_built_from_source_are_capped(cache, index, monkeypatch):
    """A guard against an endless loop of source builds (eight in the builder; two here, to stay quick)."""
    monkeypatch.setattr(builder, "MAX_SOURCE_BUILDS", 2)
    for name in ("srca", "srcb", "srcc"):
        index.sdist(name, "1.0")
    assert installed(builder.prepare(spec(index, "srca", "srcb"))) == {"srca": "1.0", "srcb": "1.0"}
    error = build_error(spec(index, "srca", "srcb", "srcc"))
    assert "Wheels are required for `srcc` because" in error.message
    assert "builds from binary wheels only" in error.message


def test_an_unreachable_index_builds_from_uvs_cache_or_says_how_to_build_ahead(cache, index):
    index.wheel("tinya", "1.0", requires=("tinyb>=2",))
    index.wheel("tinyb", "1.0")
    index.wheel("tinyb", "2.5")
    online = builder.prepare(spec(index, "tinya==1.0"))
    builder.prepare(spec(index, "tinyb==1.0"))   # uv's cache now knows both
    index.stop()
    builder.prune()
    offline = builder.prepare(spec(index, "tinya==1.0"))
    assert offline.lines[1:-1] == ("Built from uv's cache: the package index is unreachable",)
    assert installed(offline) == installed(online) == {"tinya": "1.0", "tinyb": "2.5"}
    assert " --offline" in (offline.path / "build.log").read_text()
    never = build_error(spec(index, "nevercached==1.0", name="never-cached", version="4"))
    assert never.message.startswith("Failed building the Environment never-cached:4: the installer (uv) reported:\n")
    assert ("\nThe package index is unreachable and uv's cache cannot satisfy this environment. Build it ahead of "
            "time while online: azureml-emulator environments build never-cached --version 4\nBuild log: "
            ) in never.message
    for no_version in ("None", ""):
        unversioned = build_error(spec(index, "nevercached==1.0", name="never-cached", version=no_version))
        assert "environments build never-cached\nBuild log: " in unversioned.message
    conflict = build_error(spec(index, "tinya==1.0", "tinyb==1.0"))   # each is cached; together they conflict
    assert "unsatisfiable" in conflict.message and "The package index is unreachable" in conflict.message


def test_an_interpreter_uv_cannot_use_fails_the_build(cache, tmp_path, monkeypatch):
    """A `python3.98` on PATH that answers the version question but is no Python."""
    fake = tmp_path / "bin" / "python3.98"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n[ \"$1\" = -c ] && case \"$2\" in *version_info*) echo 3.98.0; exit 0;; esac\n"
                    "echo 'not a Python' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", "{}:{}".format(fake.parent, os.environ["PATH"]))
    interpreters.find.cache_clear()   # the lookup is cached per process; this PATH is the test's own
    error = build_error(spec(python="3.98"))
    assert error.message.startswith("Failed building the Environment tiny:1: the installer (uv) reported:\n")
    said = " ".join(error.message.split())   # uv wraps long lines
    assert "Failed to inspect Python interpreter from provided path at `{}`".format(fake) in said
    assert "unreachable" not in error.message
    assert error.log_path.name.endswith(".failed.log") and error.log_path.is_file()
    assert error.message.endswith("\nBuild log: {}".format(error.log_path))


def test_the_cache_lists_and_prunes_builds(cache, index):
    index.wheel("tinya", "1.0", payload_bytes=1_600_000)
    index.wheel("tinya", "2.0")
    one = builder.prepare(spec(index, "tinya==1.0", name="one"))
    two = builder.prepare(spec(index, "tinya==2.0", name="two", version="None"))
    (cache / "0000-half-built").mkdir()                 # no ready record: not a build
    build_error(spec(index, "nosuchpackage==1.0"))      # leaves a .failed.log and a .lock
    listed = builder.list_builds()
    by_hash = sorted([(one.hash, "one:1"), (two.hash, "two")])
    assert [(b["hash"], b["environment"]) for b in listed] == by_hash
    assert 1.5 <= next(b["size_mb"] for b in listed if b["hash"] == one.hash) < 2
    assert {b["python"] for b in listed} == {THIS_PYTHON}
    for entry in listed:
        files = [f for f in (cache / entry["hash"]).rglob("*") if f.is_file() and not f.is_symlink()]
        assert entry["size_mb"] == round(sum(f.stat().st_size for f in files) / 1024 ** 2, 1)
        assert entry["last_used"] == (cache / entry["hash"] / "ready").stat().st_mtime
    three = builder.prepare(spec(index, name="three"))
    assert builder.prune([one.hash[:8]]) == 1
    assert sorted(b["hash"] for b in builder.list_builds()) == sorted([two.hash, three.hash])
    assert not one.path.exists() and two.path.exists()
    assert builder.prune(["ffffffffff-none"]) == 0
    assert builder.prune() == 2
    assert builder.list_builds() == [] and not two.path.exists() and not three.path.exists()


def test_the_cache_lives_where_the_user_says(monkeypatch, tmp_path):
    monkeypatch.setenv("AZUREML_EMULATOR_CACHE", str(tmp_path / "mine"))
    assert builder.cache_root() == tmp_path / "mine" / "environments"
    monkeypatch.delenv("AZUREML_EMULATOR_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert builder.cache_root() == tmp_path / "xdg" / "azureml-emulator" / "environments"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert builder.cache_root() == tmp_path / "home" / ".cache" / "azureml-emulator" / "environments"
    assert builder.list_builds() == []


def test_uv_is_the_packaged_binary():
    assert Path(builder.uv_binary()).name == "uv"
    assert subprocess.run([builder.uv_binary(), "--version"], capture_output=True, text=True).stdout.startswith("uv ")


def test_a_jupyter_kernels_forced_colours_do_not_reach_uv(cache, index, monkeypatch):
    # ipykernel sets these; uv then coloured its messages, and a source-only package's name
    # read from them carried escape codes (the build failed asking the index for '\x1b[36m...').
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("CLICOLOR_FORCE", "1")
    index.sdist("plainsrc", "1.0")
    build = builder.prepare(spec(index, "plainsrc==1.0"))
    assert installed(build) == {"plainsrc": "1.0"}
    assert "\x1b[" not in (build.path / "build.log").read_text()
