"""The models' options without Chainer: catalogue.json says what the constructors say, is
read while it is current, and is passed over (the classes asked) once a source changed."""
import json
import shutil

import pytest

from aezoo.models import MODELS, catalogue


@pytest.fixture
def fresh(monkeypatch):
    """model_options() reads again (its result is kept for the process)."""
    monkeypatch.setattr(catalogue, "_read", {})
    yield
    catalogue._read.clear()


def test_the_catalogue_says_what_the_models_declare():
    with open(catalogue.FILE) as f:
        stored = json.load(f)
    again = "stale: rewrite it with  python -m aezoo.models.catalogue"
    assert stored["models"] == catalogue.from_classes(), f"models/catalogue.json is {again}"
    assert stored["sources"] == catalogue.fingerprint(), f"models/ changed, catalogue.json is {again}"


def test_each_option_reads_back_as_the_model_declares_it():
    for name, options in catalogue.model_options().items():
        assert options == MODELS[name].options(), name


def test_a_current_catalogue_is_read_without_asking_the_models(tmp_path, monkeypatch, fresh):
    with open(catalogue.FILE) as f:
        stored = json.load(f)
    stored["models"]["deep"]["code_dim"]["help"] = "as the file says"
    monkeypatch.setattr(catalogue, "FILE", str(tmp_path / "catalogue.json"))
    (tmp_path / "catalogue.json").write_text(json.dumps(stored))
    assert catalogue.model_options()["deep"]["code_dim"].help == "as the file says"


def test_a_changed_source_makes_the_models_answer(tmp_path, monkeypatch, fresh):
    """A model edited after the file was written: its options come from the class."""
    folder = tmp_path / "models"
    shutil.copytree(catalogue.FOLDER, folder, ignore=shutil.ignore_patterns("__pycache__"))
    with open(folder / "catalogue.json") as f:
        stored = json.load(f)
    stored["models"]["deep"]["code_dim"]["help"] = "an old help"
    (folder / "catalogue.json").write_text(json.dumps(stored))
    monkeypatch.setattr(catalogue, "FOLDER", str(folder))
    monkeypatch.setattr(catalogue, "FILE", str(folder / "catalogue.json"))
    assert catalogue.model_options()["deep"]["code_dim"].help == "an old help"  # still current
    catalogue._read.clear()
    with open(folder / "deep.py", "a") as f:
        f.write("# a model edited\n")
    assert catalogue.model_options()["deep"] == MODELS["deep"].options()


@pytest.mark.parametrize("damage", ["", "{", '{"sources": "x"}'])
def test_a_missing_or_damaged_catalogue_makes_the_models_answer(tmp_path, monkeypatch, fresh,
                                                                damage):
    monkeypatch.setattr(catalogue, "FILE", str(tmp_path / "catalogue.json"))
    if damage:
        (tmp_path / "catalogue.json").write_text(damage)
    assert catalogue.model_options() == {name: cls.options() for name, cls in MODELS.items()}
