"""Keras's recurrent cells by name, and which one a Keras weights file holds.

    CELLS["lstm"]                       KerasLSTM (keras_lstm.py)
    make("gru", 5, 4, settings)         one layer, 5 values in, 4 units
    of_weights(kernel, recurrent)       "lstm" for kernel (in, 4u) and recurrent (u, 4u)
"""
from aezoo.models.keras_gru import KerasGRU
from aezoo.models.keras_lstm import KerasLSTM
from aezoo.models.keras_simplernn import KerasSimpleRNN

CELLS = {"gru": KerasGRU, "lstm": KerasLSTM, "simplernn": KerasSimpleRNN}
BY_GATES = {cls.gates: name for name, cls in CELLS.items()}  # 1, 3, 4 blocks of u columns


def make(name, n_in, units, settings):
    """A `name` layer; settings: recurrent_activation (None: the cell's Keras default),
    keras_version, reset_after (GRU) and unit_forget_bias (LSTM)."""
    return CELLS[name].made(n_in, units, settings)

def parse(text, layers):
    """'lstm,gru' -> ["lstm", "gru"], one name a layer (one name: every layer);
    ValueError naming what is wrong."""
    names = [name.strip() for name in str(text).split(",")]
    unknown = [name for name in names if name not in CELLS]
    if unknown:
        raise ValueError(f"--cell {text}: {', '.join(unknown)} is not a cell; expected "
                         f"{', '.join(CELLS)}, one a layer or one for all")
    if len(names) == 1:
        return names * layers
    if len(names) != layers:
        raise ValueError(f"--cell {text}: {len(names)} cells for {layers} layers of --hidden; "
                         f"give one name a layer or one for all")
    return names


def of_weights(kernel, recurrent_kernel):
    """The cell whose weights have these shapes: kernel (in, g u), recurrent (u, g u);
    ValueError when no cell has them."""
    units = recurrent_kernel.shape[0] if recurrent_kernel.ndim == 2 else 0
    width = recurrent_kernel.shape[-1]
    gates = width // units if units and width % units == 0 else None
    if gates not in BY_GATES or kernel.ndim != 2 or kernel.shape[1] != width:
        raise ValueError(f"kernel {kernel.shape} and recurrent_kernel {recurrent_kernel.shape} "
                         f"are no Keras cell's: expected (in, g u) and (u, g u), g = 1 "
                         f"(SimpleRNN), 3 (GRU) or 4 (LSTM)")
    return BY_GATES[gates], units
