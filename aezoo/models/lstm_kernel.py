"""Keras's LSTM recurrence over all steps as one Chainer FunctionNode (CPU, numpy).

As gru_kernel.py does for the GRU: the input projection x W + b stays outside (one matmul
for all steps, keras_cell.py), and this node runs the recurrence forward and back through
time in plain numpy, instead of Chainer's graph of a dozen functions a step:

    inputs   xw (N, T, 4u) projected input, gates i, f, c, o; U (u, 4u)
    output   h (N, T, u), every step's output (h and c carried over where `keep` is False)

Each step's gates are computed in place in one (N, 4u) block that backward reads again,
and a gate's derivative comes from its value (sigmoid: v (1 - v); hard_sigmoid: its slope
where 0 < v < 1), so a step makes few passes over memory. The equations are those of
keras_lstm.py; tests/unit/models/test_kernels.py checks values and gradients against the
stock graph. With numba (models/jit.py) and the kernel "lstm_gates" on (models/fast.py),
all the steps are one parallel numba call each way (models/gates.py: each
thread takes its rows through every step, a product and then the step's gates).
"""
import chainer
import numpy as np

from aezoo.models import gates


def _gate_(a, kind, slope):
    """The gate function, in place on a."""
    if kind == "sigmoid":
        a *= 0.5
        np.tanh(a, out=a)
        a += 1.0
        a *= 0.5
    else:
        a *= slope
        a += 0.5
        np.clip(a, 0.0, 1.0, out=a)


def _gate_grad(v, kind, slope):
    """The gate's derivative, from its value v."""
    if kind == "sigmoid":
        return v * (1.0 - v)
    return slope * ((v > 0.0) & (v < 1.0))


class LSTMSequence(chainer.function_node.FunctionNode):
    def __init__(self, gate, slope, keep=None):
        self.gate, self.slope, self.keep = gate, slope, keep

    def forward_cpu(self, inputs):
        xw, recurrent = inputs
        n, steps, four_u = xw.shape
        u = four_u // 4
        acts = np.empty((steps, n, four_u), xw.dtype)  # i, f, g, o after their functions
        cells = np.empty((steps + 1, n, u), xw.dtype)  # the carried c; cells[0] = 0
        tanh_c = np.empty((steps, n, u), xw.dtype)  # tanh of each step's new c
        cells[0] = 0.0
        out = np.empty((n, steps, u), xw.dtype)
        self.saved = acts, cells, tanh_c, out
        self.retain_inputs((1,))
        self.fused = gates.take("lstm_gates", xw)
        (self.steps_fused if self.fused else self.steps_numpy)(xw, recurrent)
        return out,

    def steps_fused(self, xw, recurrent):
        """All steps in one parallel numba call (gates.py), each thread taking
        its rows through every step: np.dot, then the step's gates."""
        acts, cells, tanh_c, out = self.saved
        xw = np.ascontiguousarray(xw)
        n, steps, u = out.shape
        keep, (hard, slope) = gates.keep_mask(self.keep, n, steps), gates.gate_kind(
            self.gate, self.slope)
        gates.run(
            gates.lstm_steps, xw, np.ascontiguousarray(recurrent), keep, hard,
            slope, gates.chunks(n), np.zeros((n, u), xw.dtype), acts, cells,
            tanh_c, out)

    def steps_numpy(self, xw, recurrent):
        acts, cells, tanh_c, out = self.saved
        n, steps, u = out.shape
        h = np.zeros((n, u), xw.dtype)
        for t in range(steps):
            a = acts[t]
            np.matmul(h, recurrent, out=a)
            a += xw[:, t]
            _gate_(a[:, :2 * u], self.gate, self.slope)
            np.tanh(a[:, 2 * u:3 * u], out=a[:, 2 * u:3 * u])
            _gate_(a[:, 3 * u:], self.gate, self.slope)
            c = a[:, u:2 * u] * cells[t]
            c += a[:, :u] * a[:, 2 * u:3 * u]
            np.tanh(c, out=tanh_c[t])
            new_h = a[:, 3 * u:] * tanh_c[t]
            if self.keep is None:
                cells[t + 1], h = c, new_h
            else:  # padded steps: the whole state carries over
                kept = self.keep[:, t:t + 1]
                cells[t + 1], h = np.where(kept, c, cells[t]), np.where(kept, new_h, h)
            out[:, t] = h

    def backward(self, indexes, grad_outputs):
        recurrent, = self.get_retained_inputs()
        return LSTMSequenceGrad(self).apply((recurrent, grad_outputs[0]))  # every input's


class LSTMSequenceGrad(chainer.function_node.FunctionNode):
    """Back through time (once differentiable: no double backprop)."""

    def __init__(self, node):
        self.node = node

    def forward_cpu(self, inputs):
        recurrent, gh = inputs
        node = self.node
        acts, cells, tanh_c, out = node.saved
        steps, n, four_u = acts.shape
        u = four_u // 4
        dxw = np.empty((n, steps, four_u), gh.dtype)
        (self.through_fused if node.fused else self.through_numpy)(recurrent, gh, dxw)
        # h before each step: zeros, then the outputs (carried over padding) shifted by one
        h_before = np.concatenate([np.zeros((n, 1, u), out.dtype), out[:, :-1]], axis=1)
        drec = h_before.reshape(n * steps, u).T @ dxw.reshape(n * steps, four_u)
        return dxw, drec

    def through_fused(self, recurrent, gh, dxw):
        """dxw, all steps back in one parallel numba call (gates.py)."""
        node, (acts, cells, tanh_c, out) = self.node, self.node.saved
        n, steps, u = out.shape
        keep, (hard, slope) = gates.keep_mask(node.keep, n, steps), gates.gate_kind(
            node.gate, node.slope)
        gh = np.ascontiguousarray(gh)
        # h's gradient is gh[:, t] + mm + part, mm the later step's dxw U^T; c's is carry_c
        mm, part, carry_c = (np.zeros((n, u), gh.dtype) for _ in range(3))
        gates.run(
            gates.lstm_steps_back, gh, np.ascontiguousarray(recurrent.T), keep,
            hard, slope, gates.chunks(n), acts, cells, tanh_c, mm, part, carry_c,
            np.empty((n, 4 * u), gh.dtype), dxw)

    def through_numpy(self, recurrent, gh, dxw):
        """dxw, step by step back in numpy."""
        node, (acts, cells, tanh_c, out) = self.node, self.node.saved
        n, steps, u = out.shape
        carry_h, carry_c = np.zeros((n, u), gh.dtype), np.zeros((n, u), gh.dtype)
        for t in reversed(range(steps)):
            dh, dc = gh[:, t] + carry_h, carry_c
            if node.keep is not None:  # padded steps pass the gradients straight through
                kept = node.keep[:, t:t + 1]
                passed_h, passed_c = np.where(kept, 0.0, dh), np.where(kept, 0.0, dc)
                dh, dc = np.where(kept, dh, 0.0), np.where(kept, dc, 0.0)
            a, tc = acts[t], tanh_c[t]
            i, f, g, o = a[:, :u], a[:, u:2 * u], a[:, 2 * u:3 * u], a[:, 3 * u:]
            dc = dc + dh * o * (1.0 - tc * tc)  # through h = o tanh(c)
            da = dxw[:, t]
            np.multiply(dc * g, _gate_grad(i, node.gate, node.slope), out=da[:, :u])
            np.multiply(dc * cells[t], _gate_grad(f, node.gate, node.slope),
                        out=da[:, u:2 * u])
            np.multiply(dc * i, 1.0 - g * g, out=da[:, 2 * u:3 * u])
            np.multiply(dh * tc, _gate_grad(o, node.gate, node.slope), out=da[:, 3 * u:])
            carry_h, carry_c = da @ recurrent.T, dc * f
            if node.keep is not None:
                carry_h += passed_h
                carry_c += passed_c


def lstm_sequence(xw, recurrent, gate, slope, keep=None):
    return LSTMSequence(gate, slope, keep).apply((xw, recurrent))[0]
