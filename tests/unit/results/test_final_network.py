"""aezoo compare ranks a grown run by its final network: a wider code before the last growth
reconstructs more easily and is not the model the run ends with."""
from aezoo.results.comparison import score
from aezoo.runs.folder import RunFolder


def test_the_comparisons_best_of_a_grown_run_is_at_its_final_depth(grown_wide_early):
    """aezoo compare's best test BCE and best epoch, for deep grown at epoch 3 (depth 1 until
    then, its code 128 wide; then depth 2): from epochs 3 and 4 only, even where the wide code
    of epoch 2 scored lower."""
    copy, final = grown_wide_early
    row = score(RunFolder(str(copy)), "grown")
    assert row["best_test_bce"] == min(r["test_bce"] for r in final) > 0.001
    assert row["best_epoch"] in (3, 4) and row["final_test_bce"] == final[-1]["test_bce"]
