"""aezoo.Sequential: a network as a list of layers, Keras-style, for aezoo.fit.

    model = aezoo.Sequential(["dense:32", "bn", "relu", "dropout:0.2"])
    model.add("dense:8")                        # the last layer's output is the code
    run = aezoo.fit(model, data="digits", epochs=10)
    text = model.to_json()                      # the structure, as config.json keeps it
    same = aezoo.Sequential.from_json(text)     # == model

The layers are the strings of `aezoo run sequential --layers` (docs/layers.md) or layer
kinds (aezoo.models.kinds); each is checked when added: a bad one is an aezoo.UsageError
naming its position and value. The decoder mirrors the encoder unless `decoder` is given.
"""
import json

from aezoo.errors import UsageError
from aezoo.models.kinds import layer, parse, specs
from aezoo.models.kinds.initializers import DEFAULT, initializer

FORMAT = "aezoo.Sequential"


class Sequential:
    def __init__(self, layers=(), decoder=None, init=DEFAULT):
        self.layers = []
        for item in ([layers] if isinstance(layers, str) else layers):
            self.add(item)
        self.decoder = None if decoder is None else _checked(decoder, "decoder")
        try:
            initializer(init)
        except ValueError as e:
            raise UsageError(str(e))
        self.init = init

    def add(self, item):
        """Append one layer ("tanh", "dense:8" or a kind); returns the model."""
        for one in (item.split() if isinstance(item, str) else [item]):
            try:
                self.layers.append(layer(one))
            except ValueError as e:
                raise UsageError(f"layer {len(self.layers) + 1} ({one}): {e}") from None
        return self

    def options(self):
        """aezoo.fit's options for this model: layers, decoder_layers, init."""
        if not self.layers:
            raise UsageError("aezoo.Sequential has no layers; add some: model.add(\"dense:32\")")
        return {"layers": specs(self.layers),
                "decoder_layers": specs(self.decoder) if self.decoder else None,
                "init": self.init}

    def to_json(self):
        return json.dumps({"format": FORMAT, "layers": specs(self.layers),
                           "decoder_layers": specs(self.decoder) if self.decoder else None,
                           "init": self.init})

    @classmethod
    def from_json(cls, text):
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as e:
            raise UsageError(f"Sequential.from_json: not JSON ({e})")
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise UsageError(f"Sequential.from_json: expected the JSON of to_json(), with "
                             f"\"format\": \"{FORMAT}\"")
        return cls(data.get("layers") or [], data.get("decoder_layers"),
                   data.get("init", DEFAULT))

    def __eq__(self, other):
        return isinstance(other, Sequential) and self.to_json() == other.to_json()

    def __repr__(self):
        text = " ".join(specs(self.layers))
        return f"Sequential({text!r}" + (f", decoder={' '.join(specs(self.decoder))!r}"
                                          if self.decoder else "") + ")"


def _checked(value, option):
    try:
        return parse(value, option)
    except ValueError as e:
        raise UsageError(str(e))
