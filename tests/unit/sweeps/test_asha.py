"""ASHA's rule: rungs, Ray's cutoff, the first run at a rung goes on, a decision stands on retry,
and a growing run is judged on the epoch before its growth, never on the jump."""
import json

import numpy as np
import pytest

from aezoo.errors import UsageError
from aezoo.sweeps import asha
from aezoo.train.build import configured


def test_rungs_are_grace_times_powers_of_the_factor_below_the_last_epoch():
    assert asha.rungs(1, 3, 100) == [1, 3, 9, 27, 81]
    assert asha.rungs(2, 3, 18) == [2, 6]
    assert asha.rungs(5, 2, 5) == []
    with pytest.raises(UsageError, match="factor of at least 2"):
        asha.rungs(1, 1, 10)


def test_the_cutoff_is_the_best_third_by_numpys_percentile_as_rays():
    values = [0.5, 0.1, 0.9, 0.3]
    assert asha.cutoff(values, 3) == pytest.approx(np.percentile(values, 100 / 3))
    assert asha.cutoff([], 3) is None


def rule(tmp_path, name):
    cfg, _ = configured("simple", ({"data": "digits", "epochs": 9}, "test"))
    return asha.Asha(str(tmp_path), name, str(tmp_path / name), cfg, 1, 3)


def test_runs_at_a_rung_go_on_only_within_the_best_third_and_a_decision_stands(tmp_path):
    assert rule(tmp_path, "a").decide(1, 0.50)["stop"] is False  # the first always goes on
    assert rule(tmp_path, "b").decide(1, 0.60)["stop"] is True   # worse than the cutoff 0.5
    assert rule(tmp_path, "c").decide(1, 0.40)["stop"] is False
    cutoff = np.percentile([0.5, 0.6, 0.4], 100 / 3)
    decided = rule(tmp_path, "d").decide(1, 0.45)
    assert decided["cutoff"] == pytest.approx(cutoff) and decided["stop"] == bool(0.45 > cutoff)
    again = rule(tmp_path, "b").decide(1, 0.01)  # retried after its process died: it stays stopped
    assert again["stop"] is True and again["value"] == 0.60
    records = [json.loads(line) for line in (tmp_path / asha.FILE).read_text().splitlines()]
    assert [r["run"] for r in records] == ["a", "b", "c", "d"]  # no second record for b


def test_a_damaged_record_is_one_line(tmp_path):
    (tmp_path / asha.FILE).write_text("{not json\n")
    with pytest.raises(UsageError, match="asha.jsonl is damaged; delete it"):
        rule(tmp_path, "a").decide(1, 0.5)


def test_a_rung_within_a_growths_settling_window_reads_the_epoch_before_the_growth():
    grow, _ = configured("deep", ({"data": "digits", "grow_every": 3, "grow_warmup": 2,
                                   "epochs": 30}, "test"))
    # growth at the start of epochs 4 and 7: each settles over 2 epochs
    assert [asha.judged_epoch(grow, r) for r in (3, 4, 5, 6, 9)] == [3, 3, 3, 6, 9]
    plain, _ = configured("deep", ({"data": "digits", "epochs": 30}, "test"))
    assert [asha.judged_epoch(plain, r) for r in (3, 4, 5)] == [3, 4, 5]
