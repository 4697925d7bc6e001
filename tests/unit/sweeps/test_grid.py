"""[grid] in a sweep file: the product of its lists, crossed with the runs, named from the values."""
import pytest

from aezoo.errors import UsageError
from aezoo.sweeps.file import read


def write(tmp_path, text):
    path = tmp_path / "grid.toml"
    path.write_text(text)
    return path


def test_the_grid_crosses_every_run_and_names_runs_from_the_values_in_order(tmp_path):
    path = write(tmp_path, """
[defaults]
data = "digits"
[runs.deep]
model = "deep"
[runs.vae]
model = "vae"
[grid]
grow_every = [3, 5]
hidden = [[128, 64], [64]]
""")
    runs = read(path)
    assert list(runs) == [f"{m}-grow_every={g}-hidden={h}" for m in ("deep", "vae")
                          for g in (3, 5) for h in ("128,64", "64")]
    assert runs["vae-grow_every=5-hidden=128,64"] == {
        "data": "digits", "model": "vae", "grow_every": 5, "hidden": [128, 64]}
    assert list(read(path)) == list(runs)  # the same names on every invocation


def test_without_runs_the_grid_crosses_the_defaults_alone(tmp_path):
    runs = read(write(tmp_path, '[defaults]\nmodel = "simple"\n[grid]\nlr = [0.001, 0.01]\n'
                                "linear_code = [true]\n"))
    assert list(runs) == ["lr=0.001-linear_code=true", "lr=0.01-linear_code=true"]
    assert runs["lr=0.01-linear_code=true"]["lr"] == 0.01


@pytest.mark.parametrize("grid, message", [
    ("lr = 0.01", "lr = 0.01, expected a list, e.g. [3, 5]"),
    ("lr = []", "lr = [], expected a list"),
    ("hidden = [64, 32]", "hidden = [64, 32], expected a list of lists"),
    ("lr = [0.1, 0.1]", "lr lists a value twice"),
    ("modle = [1]", "unknown option 'modle'"),
    ("out = [\"a\"]", "unknown option 'out'"),
    ("epochs = [\"ten\"]", "epochs = 'ten' is not a valid int"),
    ("seed = [0]\nmodel = [\"simple\"]", "model is also in [grid]"),
    ("seed = " + str(list(range(101))) + "\nlr = " + str([i / 1000 + 0.001 for i in range(100)])
     + "\nbatch_size = " + str(list(range(1, 3))), "20200 combinations; at most 10000"),
])
def test_a_bad_grid_is_one_line_naming_the_key(tmp_path, grid, message):
    path = write(tmp_path, f'[runs.a]\nmodel = "simple"\n[grid]\n{grid}\n')
    with pytest.raises(UsageError, match=None) as caught:
        read(path)
    assert message in str(caught.value), str(caught.value)


def test_a_sweep_resumes_with_every_resumable_option_and_groups_by_the_split_options(tmp_path):
    """resume_changes and the comparison groups ask config, not lists of their own."""
    from aezoo.config import RESUMABLE, SPLIT_OPTIONS, Config
    from aezoo.sweeps.steps import Step, groups, resume_changes
    cfg = Config(model="simple", data="digits")
    assert set(resume_changes(cfg)) == set(RESUMABLE)
    assert {"data", "data_dir", "test_fraction", "seq_len"} <= set(SPLIT_OPTIONS)
    steps = [Step(name, str(tmp_path / name), "start", None, Config(model="simple", **options))
             for name, options in [("a", {"data": "digits"}), ("b", {"data": "digits"}),
                                   ("c", {"data": "digits", "test_fraction": 0.5})]]
    found = groups(steps, str(tmp_path))
    assert sorted(len(group) for group in found.values()) == [1, 2]
