"""HyperDrive's early-termination rules, on logged series of the primary metric."""
import pytest

from azureml_emulator.errors import BadRequest, NotEmulated
from azureml_emulator.sweeps.policies import should_stop
from azureml_emulator.sweeps.sampling import parameter_sets

BANDIT = {"name": "Bandit", "properties": {"evaluation_interval": 1, "delay_evaluation": 0, "slack_factor": 0.2}}


def test_bandit_stops_a_run_outside_the_slack_factor_of_the_best():
    series = {"good": [0.8], "close": [0.7], "poor": [0.6]}
    running = set(series)
    assert should_stop(BANDIT, True, "close", series, running) is None        # 0.7 >= 0.8 / 1.2
    assert "Bandit" in should_stop(BANDIT, True, "poor", series, running)      # 0.6 < 0.667
    assert should_stop(BANDIT, False, "poor", series, running) is None         # minimizing, 0.6 is the best
    assert should_stop(BANDIT, False, "good", series, running)                 # 0.8 > 0.6 * 1.2


def test_bandit_compares_with_the_best_so_far_even_of_a_run_that_lags_behind():
    series = {"late-good": [0.9], "early-poor": [0.1, 0.1, 0.1]}
    assert should_stop(BANDIT, True, "early-poor", series, set(series))


def test_bandit_with_a_slack_amount_and_the_evaluation_schedule():
    policy = {"name": "Bandit", "properties": {"evaluation_interval": 2, "delay_evaluation": 1, "slack_amount": 0.1}}
    assert should_stop(policy, True, "b", {"a": [0.9, 0.9], "b": [0.75, 0.75]}, {"a", "b"})
    assert should_stop(policy, True, "b", {"a": [0.9, 0.9], "b": [0.85, 0.85]}, {"a", "b"}) is None
    assert should_stop(policy, True, "b", {"a": [0.9], "b": [0.1]}, {"a", "b"}) is None   # interval 1: delayed
    assert should_stop(policy, True, "b", {"a": [0.9] * 3, "b": [0.1] * 3}, {"a", "b"}) is None   # 3: not due


def test_median_stopping_and_truncation_selection():
    series = {"a": [0.9, 0.9], "b": [0.8, 0.8], "c": [0.1, 0.2]}
    median = {"name": "MedianStopping", "properties": {"evaluation_interval": 1, "delay_evaluation": 0}}
    assert should_stop(median, True, "c", series, set(series))
    assert should_stop(median, True, "b", series, set(series)) is None
    truncation = {"name": "TruncationSelection", "properties": {"evaluation_interval": 1, "delay_evaluation": 0,
                                                                "truncation_percentage": 40}}
    assert should_stop(truncation, True, "c", series, set(series))            # the lowest 1 of 3
    assert should_stop(truncation, True, "b", series, set(series)) is None
    assert should_stop({"name": "Default"}, True, "c", series, set(series)) is None


def test_sampling_random_grid_and_what_is_refused():
    space = {"--lr": ["uniform", [0.01, 0.2]], "--depth": ["choice", [[2, 4]]], "--n": ["randint", [5]]}
    sets = list(parameter_sets({"name": "RANDOM", "parameter_space": space}, 50, seed=1))
    assert len(sets) == 50 and all(0.01 <= s["--lr"] <= 0.2 and s["--depth"] in (2, 4) and 0 <= s["--n"] < 5
                                   for s in sets)
    grid = list(parameter_sets({"name": "GRID", "parameter_space": {"--a": ["choice", [[1, 2]]],
                                                                     "--b": ["choice", [["x", "y"]]]}}, 10))
    assert grid == [{"--a": 1, "--b": "x"}, {"--a": 1, "--b": "y"}, {"--a": 2, "--b": "x"}, {"--a": 2, "--b": "y"}]
    with pytest.raises(BadRequest, match="Grid sampling takes only choice"):
        list(parameter_sets({"name": "GRID", "parameter_space": space}, 3))
    with pytest.raises(NotEmulated, match="Bayesian sampling"):
        list(parameter_sets({"name": "BayesianOptimization", "parameter_space": space}, 3))
