"""A search file's bad input is one line and exit status 2, before anything is written; a study
made from another sweep file is refused, never mixed."""
import pytest

from aezoo.commands import sweep
from aezoo.sweeps import space
from search_file import lr_search

pytest.importorskip("optuna")

GOOD = lr_search(epochs=1, low="1e-4", high="1e-2")


def one_line(capsys):
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("aezoo sweep: error: "), err
    return err


@pytest.mark.parametrize("search, message", [
    ("lr = {low = 1e-2, high = 1e-4}", "lr: low = 0.01 and high = 0.0001 is an empty or reversed "
                                       "range; expected low < high"),
    ("lr = {low = 1e-2, high = 1e-2}", "is an empty or reversed range"),
    ("lr = {low = 0.0, high = 1e-2, log = true}", "lr: log = true needs low > 0 (got low = 0.0)"),
    ("lr = {low = -1.0, high = 1e-2, log = true}", "log = true needs low > 0"),
    ("batch_size = {low = 16.5, high = 64}", "batch_size is a whole number; low, high and step "
                                             "must be too"),
    ("lr = {low = 1e-4}", "a range needs both low and high"),
    ("lr = {low = 1e-4, high = 1e-2, size = 3}", "expected {low = .., high = ..}"),
    ("optimizer = {choices = []}", "choices = [..] is a non-empty list"),
    ("optimizer = {choices = [\"adam\", \"adam\"]}", "a choice is listed twice"),
    ("optimizer = {choices = [\"adam\", \"lbfgs\"]}", "optimizer = 'lbfgs' with model simple"),
    ("grow_every = {low = 2, high = 10}", "[search] grow_every = 2 with model simple: "
                                          "model simple cannot grow"),
    ("depth = {low = 1, high = 3}", "[search] depth = 1 with model simple"),
    ("learning_rate = {low = 1e-4, high = 1e-2}", "learning_rate is not an option"),
    ("epochs = {low = 1, high = 9}", "epochs is set by the sweep"),
    ("model = {choices = [\"simple\", \"nope\"]}", "'nope' is not a model"),
])
def test_a_bad_range_is_one_line_naming_it_and_nothing_is_written(tmp_path, capsys, search,
                                                                   message):
    path = tmp_path / "s.toml"
    path.write_text(GOOD.replace("lr = {low = 1e-4, high = 1e-2, log = true}", search))
    assert sweep.main([str(path), "--out", str(tmp_path / "out"), "--trials", "2"]) == 2
    assert message in one_line(capsys)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("options, message", [
    (["--trials", "0"], "--trials 0: expected a whole number from 1 to"),
    (["--trials", "2", "--sampler", "bayes"], "argument --sampler: invalid choice: 'bayes'"),
    (["--trials", "2", "--early-stop", "sha"], "argument --early-stop: invalid choice: 'sha'"),
    ([], "has a [search] table: give --trials N, the study's total"),
    (["--trials", "2", "--sampler", "grid"], "lr: --sampler grid needs its values; give the range "
                                             "a step or write it as choices"),
    (["--trials", "2", "--storage", "postgresql+psycopg://u@127.0.0.1:1/db"],
     "--storage: nothing answers at 127.0.0.1:1"),
    (["--trials", "2", "--storage", "/no/such/folder/study.journal"],
     "its folder /no/such/folder does not exist"),
])
def test_bad_search_options_are_one_line(tmp_path, capsys, options, message):
    path = tmp_path / "s.toml"
    path.write_text(GOOD)
    assert sweep.main([str(path), "--out", str(tmp_path / "out"), *options]) == 2
    assert message in one_line(capsys)
    assert not (tmp_path / "out").exists() or not (tmp_path / "out" / "study.journal").exists()


def test_a_search_beside_a_grid_is_refused(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text(GOOD + "[grid]\nseed = [0, 1]\n")
    assert sweep.main([str(path), "--out", str(tmp_path / "out"), "--trials", "2"]) == 2
    assert "[grid] and [search] cannot be in one file" in one_line(capsys)


def test_a_study_made_from_another_sweep_file_is_refused_and_kept(tmp_path, capsys):
    optuna = pytest.importorskip("optuna")
    journal = tmp_path / "shared.journal"
    first, second = tmp_path / "a" / "s.toml", tmp_path / "b" / "s.toml"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_text(GOOD)
    second.write_text(GOOD.replace("high = 1e-2", "high = 1e-1"))
    from aezoo.sweeps import study
    made = study.open_study(str(journal), "s", {"defaults": {"data": "digits", "model": "simple",
                                                             "epochs": 1},
                                                "search": {"lr": {"low": 1e-4, "high": 1e-2,
                                                                  "log": True}}})
    made.enqueue_trial({"lr": 1e-3})
    before = journal.read_bytes()
    assert sweep.main([str(second), "--out", str(tmp_path / "out"), "--trials", "2",
                       "--storage", str(journal)]) == 2
    err = one_line(capsys)
    assert f"study 's' in {journal} was made from a different sweep file ([search] lr: " in err
    assert "'high': 0.01" in err and "'high': 0.1" in err and "give --study NEW_NAME" in err
    assert journal.read_bytes() == before  # the other file's study is untouched
    assert len(optuna.load_study(study_name="s", storage=study.storage(str(journal))).trials) == 1


def test_trial_folders_are_valid_run_names():
    from aezoo.sweeps.file import NAME
    for values in ({"lr": 1.2345e-05, "hidden": "128,64"}, {"augment": "shift:1", "x": True},
                   {"lr": 1e20}):
        name = space.label(7, values)
        assert NAME.fullmatch(name) and name.startswith("0007-"), name
    assert space.label(3, {"lr": 0.00123456, "grow_every": 4}) == "0003-lr=0.00123-grow_every=4"
    long = space.label(1, {f"k{i}": "x" * 30 for i in range(9)})
    assert long == "0001-" + "-".join(f"k{i}={'x' * 30}" for i in range(2)), long
    # the moonshot's search: a value that does not fit is left out whole, not cut to "noise=gauss"
    moon = space.label(12, {"lr": 0.00195, "lr_decay": 0.565, "grow_every": 2, "grow_warmup": 2,
                            "batch_size": 256, "augment": 1, "noise": 0.0123456,
                            "weight_decay": 3.3e-06, "batch_norm": False})
    assert moon == ("0012-lr=0.00195-lr_decay=0.565-grow_every=2-grow_warmup=2-batch_size=256-"
                    "augment=1-noise=0.0123"), moon


def test_a_search_asks_no_new_trial_once_a_stop_is_asked(tmp_path):
    """OUT/stop (Ctrl-C, or written by hand) stops every run at its next epoch: a trial asked
    after it would stop at its first, and the next would be asked, and so on."""
    optuna = pytest.importorskip("optuna")
    from aezoo.sweeps import search
    from aezoo.sweeps.file import STOP
    from aezoo.config import read_toml
    path = tmp_path / "search.toml"
    path.write_text(GOOD)
    study = optuna.create_study()
    trials = search.Search(search.read(str(path), read_toml(str(path))), str(tmp_path), study,
                           5, None, None)
    trials.make_job = lambda name, plan, judge: name
    (tmp_path / STOP).touch()
    assert list(trials.jobs()) == [] and study.trials == []
    (tmp_path / STOP).unlink()
    assert len(list(trials.jobs())) == 5 and len(study.trials) == 5


def test_a_formatted_range_searches_the_number_inside_a_text_option(tmp_path):
    """noise = {low, high, format = "gaussian:{}"}: the study ranges over the std (a number
    for TPE and the importances), each trial's run gets the option's text, and a trial
    resumed from the study gets the same text back."""
    optuna = pytest.importorskip("optuna")
    from aezoo.config import read_toml
    from aezoo.sweeps import search
    path = tmp_path / "search.toml"
    path.write_text(GOOD.replace("lr = {low = 1e-4, high = 1e-2, log = true}",
                                 'noise = {low = 0.05, high = 0.3, format = "gaussian:{}"}\n'
                                 'augment = {low = 1, high = 2, format = "shift:{}"}'))
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    trials = search.Search(search.read(str(path), read_toml(str(path))), str(tmp_path), study,
                           4, None, None)
    made = []
    trials.make_job = lambda name, plan, judge: made.append(plan.cfg) or name
    assert len(list(trials.jobs())) == 4
    for trial, cfg in zip(study.trials, made):
        std, pixels = trial.params["noise"], trial.params["augment"]
        assert isinstance(std, float) and 0.05 <= std <= 0.3 and pixels in (1, 2)
        assert cfg.noise == f"gaussian:{std:.6g}" and cfg.augment == f"shift:{pixels}"
        assert trials.file.space.values(trial.params) == {"noise": cfg.noise,
                                                          "augment": cfg.augment}
        # the folder shows the numbers the study ranges over, not the options' text
        assert trial.user_attrs["run"] == f"{trial.number:04d}-noise={std:.3g}-augment={pixels}"


@pytest.mark.parametrize("search, message", [
    ('noise = {low = 0.1, high = 0.3, format = "gaussian"}', "format = 'gaussian': expected a "
                                                             "text option's value with one {}"),
    ('noise = {low = 0.1, high = 0.3, format = "{}:{}"}', "with one {}"),
    ('lr = {low = 0.1, high = 0.3, format = "{}"}', "format is for a text option; lr is a number"),
    ('noise = {low = 0.1, high = 0.3}', "noise takes choices = [..], or a range with format"),
    ('noise = {low = 0.0, high = 0.3, format = "gaussian:{}"}',
     "[search] noise = 'gaussian:0' with model simple"),
    ('augment = {low = 1, high = 4, format = "shove:{}"}', "augment = 'shove:1' with model"),
])
def test_a_bad_formatted_range_is_one_line(tmp_path, capsys, search, message):
    path = tmp_path / "s.toml"
    path.write_text(GOOD.replace("lr = {low = 1e-4, high = 1e-2, log = true}", search))
    assert sweep.main([str(path), "--out", str(tmp_path / "out"), "--trials", "2"]) == 2
    assert message in one_line(capsys)
    assert not (tmp_path / "out").exists()


def test_a_grid_over_a_formatted_range_draws_the_numbers_and_runs_get_the_text():
    """--sampler grid: GridSampler is given the numbers the study keeps (it checks each drawn
    value against its grid), and each trial's option is the text around it."""
    optuna = pytest.importorskip("optuna")
    found = space.parse("s.toml", "augment", {"low": 1, "high": 3, "format": "shift:{}"})
    assert found.grid() == [1, 2, 3]
    grid = space.Space((found,), {})
    study = optuna.create_study(sampler=optuna.samplers.GridSampler(grid.grid(), seed=0))
    drawn = {grid.suggest(study.ask(), "deep")["augment"] for _ in range(3)}
    assert drawn == {"shift:1", "shift:2", "shift:3"}
