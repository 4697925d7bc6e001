"""A data set is one loader and one line in data/sets.py: the name reaches load, --help and errors."""
import numpy as np

from aezoo.commands.run import parser
from aezoo.data import Dataset, load, sets


def test_a_new_named_set_is_one_line_and_every_reader_sees_it(monkeypatch):
    ones = np.ones((10, 4, 4), np.float32)
    monkeypatch.setitem(sets.SETS, "ones", ("image", lambda o: Dataset("ones", ones[:8], ones[8:])))
    assert load("ones").shape == (4, 4)
    assert load("ones-rows").kind == "sequence"  # every named image set reads by rows too
    assert "ones-rows" in sets.names() and "ones," in sets.names()
    monkeypatch.setitem(sets.FILES, "zeros", ("image", "N", lambda n, o: Dataset(
        "zeros", np.zeros((int(n), 2, 2), np.float32), np.zeros((2, 2, 2), np.float32))))
    assert len(load("zeros:5").train) == 5 and "zeros:N" in sets.names()


def test_help_and_the_error_name_every_registered_set(capsys):
    text = parser().format_help().replace("\n", " ")
    for name in list(sets.SETS) + [f"{k}:{arg}" for k, (_, arg, _) in sets.FILES.items()]:
        assert name in " ".join(text.split()).replace("- ", "-"), name
    try:
        load("nope")
    except ValueError as e:  # UsageError is a ValueError
        assert str(e) == f"--data 'nope': expected {sets.names()}"
    else:
        raise AssertionError("an unknown --data was accepted")
