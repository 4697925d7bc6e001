"""The conv model's Keras-blog decoder: each stage doubles, a valid conv ends it."""
import numpy as np

from aezoo.models.conv import ConvAE


def test_the_keras_decoder_doubles_each_stage_and_ends_with_a_valid_conv():
    model = ConvAE((28, 28), hidden=[16, 8, 8], decoder="keras")
    assert [after for _, _, _, after in model.steps] == [(8, 8), (16, 16), (28, 28)]
    assert [pad for _, pad, _, _ in model.steps] == [1, 1, 0]  # 16 -> 14 by a valid conv
    layers = model.layers()
    convs = [layer for layer in layers if layer["type"] == "conv3x3"][3:]  # the decoder's
    assert [c["out"] for c in convs] == [[8, 4, 4], [8, 8, 8], [16, 14, 14], [1, 28, 28]]
    assert convs[2]["pad"] == 0
    x = np.random.RandomState(0).rand(2, 28, 28).astype(np.float32)
    assert model.reconstruct(x).shape == (2, 28, 28)
