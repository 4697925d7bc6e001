"""aezoo compare ranks a grown run by its final network: a wider code before the last growth
reconstructs more easily and is not the model the run ends with."""
import json
import shutil

from aezoo.results.comparison import score
from aezoo.runs import metrics
from aezoo.runs.folder import RunFolder


def test_the_comparisons_best_of_a_grown_run_is_at_its_final_depth(grown, tmp_path):
    """aezoo compare's best test BCE and best epoch, for deep grown at epoch 3 (depth 1 until
    then, its code 128 wide; then depth 2): from epochs 3 and 4 only, even where the wide code
    of epoch 2 scored lower (written into a copy of the run)."""
    copy = tmp_path / "grown"
    shutil.copytree(grown[0], copy)
    lines = [json.loads(line) for line in (copy / metrics.FILE).read_text().splitlines()]
    for r in lines:
        if r.get("epoch") == 2 and "test_bce" in r:
            r["test_bce"] = 0.001
    (copy / metrics.FILE).write_text("".join(json.dumps(r) + "\n" for r in lines))
    run = RunFolder(str(copy))
    at_two = [r for r in run.epochs if r["depth"] == 2]
    assert [r["epoch"] for r in at_two] == [3, 4]
    row = score(run, "grown")
    assert row["best_test_bce"] == min(r["test_bce"] for r in at_two) > 0.001
    assert row["best_epoch"] in (3, 4) and row["final_test_bce"] == at_two[-1]["test_bce"]
