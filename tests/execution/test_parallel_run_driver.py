"""The ParallelRunStep driver's own rules, without a job around it: how the SDK's arguments are
read, how mini-batch sizes and batches are made, and what run()'s results count as."""
import pandas as pd
import pytest

from azureml_emulator.execution import parallel_run

ARGUMENTS = ["--client_sdk_version", "1.61.0", "--scoring_module_name", "score.py", "--mini_batch_size", "5",
             "--error_threshold", "3", "--output_action", "summary_only", "--logging_level", "INFO",
             "--run_invocation_timeout", "7", "--run_max_try", "2", "--create_snapshot_at_runtime", "True",
             "--process_count_per_node", "3", "--extra", "x", "--input_fds_0", "images"]


def test_the_sdks_arguments_are_read_and_the_entry_scripts_own_are_left_to_it(monkeypatch):
    monkeypatch.setenv("images", "/mnt/images")
    monkeypatch.setenv(parallel_run.NODE_COUNT_VARIABLE, "2")
    settings = parallel_run.Settings(ARGUMENTS)
    assert (settings.entry_script, settings.mini_batch_size, settings.error_threshold) == ("score.py", "5", 3)
    assert (settings.timeout, settings.max_try, settings.processes, settings.nodes) == (7, 2, 3, 2)
    assert settings.output_action == "summary_only" and settings.output is None
    assert settings.file_inputs == ["/mnt/images"] and settings.tabular_inputs == []
    assert settings.output_file == "parallel_run_step.txt"


@pytest.mark.parametrize("text, size", [("1024", 1024), ("10KB", 10240), ("1MB", 1048576), ("2gb", 2 * 1024 ** 3)])
def test_a_data_size_is_bytes(text, size):
    assert parallel_run.data_size(text) == size


def test_files_are_cut_into_mini_batches_in_path_order(tmp_path):
    for name in ("b/2.txt", "a/1.txt", "c.txt", "a/0.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    batches = parallel_run.file_batches([str(tmp_path)], 3)
    assert [[p[len(str(tmp_path)) + 1:] for p in b.items] for b in batches] == [["a/0.txt", "a/1.txt", "b/2.txt"],
                                                                                 ["c.txt"]]
    assert [b.size for b in batches] == [3, 1]


def test_run_results_are_rows_a_list_by_element_a_data_frame_space_separated():
    assert parallel_run.rows_of(["a.png 7", 3]) == (["a.png 7", "3"], 2)
    frame = pd.DataFrame({"x": [1, 2], "label": ["a b", "c"]})
    assert parallel_run.rows_of(frame) == (['1 "a b"', "2 c"], 2)
    with pytest.raises(TypeError, match="must return a pandas DataFrame or a list"):
        parallel_run.rows_of(None)


def test_summary_only_writes_no_output_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    driver = parallel_run.Driver(parallel_run.Settings(ARGUMENTS + ["--output", str(tmp_path / "out")]))
    batch = parallel_run.Batch(0, ["f"], 1, "1 files")
    driver.finished(batch, ["f 1"], 1)
    assert driver.write_output([batch]) is None
    assert not (tmp_path / "out").exists()


def test_fewer_rows_than_items_count_as_failed_items_and_one_failed_mini_batch(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    driver = parallel_run.Driver(parallel_run.Settings(ARGUMENTS))
    batch = parallel_run.Batch(0, ["a", "b", "c", "d"], 4, "4 files")
    driver.finished(batch, ["a"], 1)
    assert (driver.failed_items, driver.failed_batches) == (3, 1)
    assert driver.over_threshold(1, True) is None   # 3 failed items, error_threshold 3
    driver.finished(parallel_run.Batch(1, ["e"], 1, "1 files"), [], 0)
    assert "The number of failed items (4) exceeded the error threshold (3)" in driver.over_threshold(2, True)
