"""Keras's LSTM recurrence over all steps as one Chainer FunctionNode (CPU, numpy).

As gru_kernel.py does for the GRU: the input projection x W + b stays outside (one matmul
for all steps, keras_cell.py), and this node runs the recurrence forward and back through
time in plain numpy, fused per step, instead of Chainer's graph of some fifteen functions
a step:

    inputs   xw (N, T, 4u) projected input, gates i, f, c, o; U (u, 4u)
    output   h (N, T, u), every step's output (h and c carried over where `keep` is False)

The equations are those of keras_lstm.py; tests/unit/models/test_kernels.py checks values
and gradients against the stock graph.
"""
import chainer
import numpy as np

from aezoo.models.gru_kernel import _gate


class LSTMSequence(chainer.function_node.FunctionNode):
    def __init__(self, gate, slope, keep=None):
        self.gate, self.slope, self.keep = gate, slope, keep

    def forward_cpu(self, inputs):
        xw, recurrent = inputs
        n, steps, four_u = xw.shape
        u = four_u // 4
        h, c = np.zeros((n, u), xw.dtype), np.zeros((n, u), xw.dtype)
        out = np.empty((n, steps, u), xw.dtype)
        saved = {k: np.empty((steps, n, u), xw.dtype) for k in
                 ("h", "c", "i", "f", "g", "o", "di", "df", "do", "tc")}
        for t in range(steps):
            a = xw[:, t] + h @ recurrent
            i, di = _gate(a[:, :u], self.gate, self.slope)
            f, df = _gate(a[:, u:2 * u], self.gate, self.slope)
            g = np.tanh(a[:, 2 * u:3 * u])
            o, do = _gate(a[:, 3 * u:], self.gate, self.slope)
            new_c = f * c + i * g
            tc = np.tanh(new_c)
            for key, value in (("h", h), ("c", c), ("i", i), ("f", f), ("g", g), ("o", o),
                               ("di", di), ("df", df), ("do", do), ("tc", tc)):
                saved[key][t] = value
            new_h = o * tc
            if self.keep is None:
                h, c = new_h, new_c
            else:  # padded steps: the whole state carries over
                kept = self.keep[:, t:t + 1]
                h, c = np.where(kept, new_h, h), np.where(kept, new_c, c)
            out[:, t] = h
        self.saved = saved
        self.retain_inputs((1,))
        return out,

    def backward(self, indexes, grad_outputs):
        recurrent, = self.get_retained_inputs()
        return LSTMSequenceGrad(self).apply((recurrent, grad_outputs[0]))  # every input's


class LSTMSequenceGrad(chainer.function_node.FunctionNode):
    """Back through time (once differentiable: no double backprop)."""

    def __init__(self, node):
        self.node = node

    def forward_cpu(self, inputs):
        recurrent, gh = inputs
        node, s = self.node, self.node.saved
        steps, n, u = s["h"].shape
        dxw = np.empty((n, steps, 4 * u), gh.dtype)
        carry_h, carry_c = np.zeros((n, u), gh.dtype), np.zeros((n, u), gh.dtype)
        for t in reversed(range(steps)):
            dh, dc = gh[:, t] + carry_h, carry_c
            if node.keep is not None:  # padded steps pass the gradients straight through
                kept = node.keep[:, t:t + 1]
                passed_h, passed_c = np.where(kept, 0.0, dh), np.where(kept, 0.0, dc)
                dh, dc = np.where(kept, dh, 0.0), np.where(kept, dc, 0.0)
            tc, i, f, g = s["tc"][t], s["i"][t], s["f"][t], s["g"][t]
            dc = dc + dh * s["o"][t] * (1.0 - tc * tc)  # through h = o tanh(c)
            da = dxw[:, t]
            da[:, :u] = dc * g * s["di"][t]
            da[:, u:2 * u] = dc * s["c"][t] * s["df"][t]
            da[:, 2 * u:3 * u] = dc * i * (1.0 - g * g)
            da[:, 3 * u:] = dh * tc * s["do"][t]
            carry_h, carry_c = da @ recurrent.T, dc * f
            if node.keep is not None:
                carry_h, carry_c = carry_h + passed_h, carry_c + passed_c
        h_all = s["h"].reshape(steps * n, u)
        drec = h_all.T @ dxw.transpose(1, 0, 2).reshape(steps * n, 4 * u)
        return dxw, drec


def lstm_sequence(xw, recurrent, gate, slope, keep=None):
    return LSTMSequence(gate, slope, keep).apply((xw, recurrent))[0]
