"""The layer vocabulary (models/kinds): every kind parses, prints, builds, trains, mirrors and
exports the same way; a new kind is one class and one registry line; bad layers are named."""
import json

import chainer
import numpy as np
import pytest

from aezoo.commands.export import forward_source
from aezoo.models import kinds
from aezoo.models.kinds import KINDS, Kind, layer, parse, short, specs
from aezoo.models.kinds.stack import mirror, walk
from aezoo.models.sequential import SequentialAE

# A stack that holds each kind, on 8x8 images; a new kind must be added here (the first test)
EXAMPLES = {
    "dense": "dense:6", "conv": "conv:3:5:2", "pool": "conv:3 pool", "unpool": "conv:2 pool unpool",
    "upsample": "conv:2 pool:4 upsample", "bn": "dense:5 bn", "layernorm": "conv:2 layernorm",
    "dropout": "dense:7 dropout:0.3", "flatten": "conv:2 pool flatten dense:5",
    "reshape": "dense:8 reshape:2,2,2 conv:3",
    **{name: f"dense:6 {name} dense:4" for name in kinds.ACTIVATIONS},
}


def test_every_kind_has_an_example_here():
    assert set(EXAMPLES) == set(KINDS)


def weights_of(model):
    names, found = dict(model.namedlinks(skipself=True)), {}
    for entry in model.layers():
        if "name" in entry:
            link = names[entry["name"]]
            found[entry["name"].lstrip("/")] = {
                **{n.lstrip("/"): p.array for n, p in link.namedparams()},
                **{n: getattr(link, n) for n in link._persistent
                   if isinstance(getattr(link, n), np.ndarray)}}
    return found


def forward_module():
    namespace = {}
    exec(compile(forward_source(), "forward.py", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_kind_trains_and_its_numpy_forward_matches_chainer(name):
    model = SequentialAE((8, 8), layers=EXAMPLES[name])
    model.set_rng(np.random.default_rng(0))
    x = np.random.RandomState(0).rand(6, 8, 8).astype(np.float32)
    loss = model(x)
    model.cleargrads()
    loss.backward()
    assert np.isfinite(float(loss.array))
    assert all(p.grad is not None and np.isfinite(p.grad).all() for p in model.params())
    for _ in range(2):  # batch norm's running statistics move away from 0 and 1
        model(x)
    with chainer.using_config("train", False), chainer.no_backprop_mode():
        y, code = model.reconstruct(x).array, model.encode(x).array
    exported = forward_module()["Model"]({"layers": model.layers(), "input_shape": [8, 8]},
                                         weights_of(model))
    np.testing.assert_allclose(exported.encode(x), code, atol=1e-5)
    np.testing.assert_allclose(exported.reconstruct(x), y, atol=1e-5)
    assert json.loads(json.dumps(model.layers())) == model.layers()


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_spec_of_each_kind_parses_back_to_itself(name):
    stack = parse(EXAMPLES[name])
    assert parse(" ".join(specs(stack))) == stack and specs(parse(specs(stack))) == specs(stack)


def test_options_by_name_or_position_and_defaults_left_out():
    assert layer("conv:16:5:2").spec() == "conv:16:5:2"
    assert layer("conv:16:stride=2").spec() == "conv:16:stride=2"
    assert layer("conv:16:3:1:same") == layer("conv:16")
    assert layer("dropout:0.5").spec() == "dropout" and layer("dropout:0.1").rate == 0.1


def test_the_decoder_mirrors_the_encoder_block_by_block():
    encoder = parse("conv:8 relu pool conv:4 relu pool")
    assert specs(mirror(encoder, walk(encoder, (1, 28, 28)))) == [
        "unpool:size=14,14", "conv:8", "relu", "unpool:size=28,28", "conv:1"]
    encoder = parse("dense:48 bn elu dropout:0.1 dense:8")
    assert specs(mirror(encoder, walk(encoder, (1, 8, 8)))) == [
        "dense:48", "bn", "elu", "dropout:0.1", "dense:64", "reshape:1,8,8"]
    encoder = parse("conv:4:3:2:valid relu")  # stride and padding undone: 9 -> 4 -> 7 -> 9
    shapes = walk(encoder, (1, 9, 9))
    back = mirror(encoder, shapes)
    assert specs(back) == ["unpool:size=7,7", "conv:1:padding=full"]
    assert walk(back, shapes[-1])[-1] == (1, 9, 9)


@pytest.mark.parametrize("spec, message", [
    ("dense:48 foo", "--layers layer 2 (foo): unknown layer kind 'foo'"),
    ("dense:8 dropout:1.5", "--layers layer 2 (dropout:1.5): rate 1.5: expected 0 <= rate < 1"),
    ("dense:8 eluu", "--layers layer 2 (eluu): unknown layer kind 'eluu' (did you mean elu?)"),
    ("dense:x", "--layers layer 1 (dense:x): units 'x' is not a whole number"),
    ("conv:8:4", "'same' padding needs an odd kernel"),
    ("dense:8:9", "dense takes at most 1 value (units)"),
    ("conv:8:pad=1", "conv takes no option 'pad' (it takes channels, kernel, stride, padding)"),
    ("", "--layers: no layers"),
])
def test_a_bad_layer_is_named_by_position_and_value(spec, message):
    with pytest.raises(ValueError) as caught:
        parse(spec)
    assert message in str(caught.value)
    if "unknown layer kind" in message:  # the kinds are listed
        assert ", ".join(KINDS) in str(caught.value)


def test_a_conv_after_a_dense_layer_gives_both_shapes():
    with pytest.raises(ValueError) as caught:
        SequentialAE((8, 8), layers="dense:48 relu conv:8")
    assert str(caught.value) == ("--layers layer 3 (conv:8): a conv takes a map (C, H, W), not "
                                 "(48,): put reshape:C,H,W before it; layer 2 (relu) gives (48,)")


def test_a_decoder_that_misses_the_input_shape_is_refused():
    with pytest.raises(ValueError, match=r"--decoder-layers layer 2 \(dense:10\) ends the decoder "
                                         r"at \(10,\), not at the input's shape \(1, 8, 8\)"):
        SequentialAE((8, 8), layers="dense:4", decoder_layers="relu dense:10")


def test_a_long_layer_list_gets_a_short_valid_run_name():
    assert short("conv:8 relu pool") == "conv.8,relu,pool"
    long = "dense:48 bn elu dropout:0.1 dense:24 relu dense:8"
    name = short(long)
    assert len(name) <= 40 and name != short(long.replace("dense:8", "dense:9"))


class Scale(Kind):
    """A new kind for the test: multiplies by a factor (one class and one registry line)."""
    name, params = "scale", (("factor", float, 2.0),)

    def forward(self, link, x, context):
        return x * self.factor

    def exported(self, link):
        return {"factor": self.factor}


def scale_numpy(x, layer, w):
    return x * layer["factor"]


Scale.numpy = staticmethod(scale_numpy)


def test_a_new_kind_is_one_class_and_one_line(monkeypatch):
    monkeypatch.setitem(KINDS, "scale", Scale)  # the one line
    model = SequentialAE((8, 8), layers="dense:6 scale:0.5 relu dense:3")
    assert specs(model.kinds)[1] == "scale:0.5"
    assert "scale:0.5" in [k.spec() for block in model.decoder for k in block.kinds]
    x = np.random.RandomState(0).rand(4, 8, 8).astype(np.float32)
    with chainer.using_config("train", False), chainer.no_backprop_mode():
        y = model.reconstruct(x).array
    source = forward_source()
    assert 'LAYERS["scale"] = scale_numpy' in source
    exported = forward_module()["Model"]({"layers": model.layers(), "input_shape": [8, 8]},
                                         weights_of(model))
    np.testing.assert_allclose(exported.reconstruct(x), y, atol=1e-6)
