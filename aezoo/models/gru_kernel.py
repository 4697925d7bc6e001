"""Keras's GRU recurrence over all steps as one Chainer FunctionNode (CPU, numpy).

Chainer's graph of a GRU step is some fifteen functions, each with its type
checks and its own pass over memory; over 30 steps and back, that overhead is
most of the time. Here the input projection x W + b stays outside (one matmul
for all steps, models/keras_gru.py), and this node runs the recurrence forward
and back through time in plain numpy, fused per step:

    inputs   xw (N, T, 3u) projected input; R (u, 3u); with reset_after also b_rec (3u,)
    output   h (N, T, u), every step's state (carried over where `keep` is False)

The equations are those of keras_gru.py; tests/unit/models/test_kernels.py checks values and
gradients against the stock graph.
"""
import chainer
import numpy as np


def _gate(a, kind, slope):
    """(value, derivative) of the gate function at a."""
    if kind == "sigmoid":
        value = 0.5 * (1.0 + np.tanh(0.5 * a))
        return value, value * (1.0 - value)
    v = a * slope + 0.5
    return np.clip(v, 0.0, 1.0), slope * ((v >= 0.0) & (v <= 1.0))  # as F.clip's gradient


class GRUSequence(chainer.function_node.FunctionNode):
    def __init__(self, reset_after, gate, slope, keep=None):
        self.reset_after, self.gate, self.slope, self.keep = reset_after, gate, slope, keep

    def forward_cpu(self, inputs):
        xw, recurrent = inputs[:2]
        n, steps, three_u = xw.shape
        u = three_u // 3
        b_rec = inputs[2] if self.reset_after else None
        h = np.zeros((n, u), xw.dtype)
        out = np.empty((n, steps, u), xw.dtype)
        saved = {k: np.empty((steps, n, u), xw.dtype) for k in
                 ("h", "z", "r", "cand", "dz", "dr", "hh")}
        for t in range(steps):
            x = xw[:, t]
            if self.reset_after:
                hw = h @ recurrent + b_rec
                hh = hw[:, 2 * u:]
            else:
                hw = h @ recurrent[:, :2 * u]
            z, dz = _gate(x[:, :u] + hw[:, :u], self.gate, self.slope)
            r, dr = _gate(x[:, u:2 * u] + hw[:, u:2 * u], self.gate, self.slope)
            if not self.reset_after:
                hh = (r * h) @ recurrent[:, 2 * u:]
                cand = np.tanh(x[:, 2 * u:] + hh)
            else:
                cand = np.tanh(x[:, 2 * u:] + r * hh)
            for key, value in (("h", h), ("z", z), ("r", r), ("cand", cand), ("dz", dz),
                               ("dr", dr), ("hh", hh)):
                saved[key][t] = value
            new = z * h + (1.0 - z) * cand
            h = new if self.keep is None else np.where(self.keep[:, t:t + 1], new, h)
            out[:, t] = h
        self.saved = saved
        self.retain_inputs((1,))
        return out,

    def backward(self, indexes, grad_outputs):
        recurrent, = self.get_retained_inputs()
        return GRUSequenceGrad(self).apply((recurrent, grad_outputs[0]))  # every input's


class GRUSequenceGrad(chainer.function_node.FunctionNode):
    """Back through time (once differentiable: no double backprop)."""

    def __init__(self, node):
        self.node = node

    def forward_cpu(self, inputs):
        recurrent, gh = inputs
        node, s = self.node, self.node.saved
        steps, n, u = s["h"].shape
        dxw = np.empty((n, steps, 3 * u), gh.dtype)
        # per step: the gradients at the state's matmul (z, r and, reset_after, h parts)
        dstate = np.empty((steps, n, 3 * u if node.reset_after else 2 * u), gh.dtype)
        dcand_in = np.empty((steps, n, u), gh.dtype) if not node.reset_after else None
        carry = np.zeros((n, u), gh.dtype)
        for t in reversed(range(steps)):
            dh = gh[:, t] + carry
            if node.keep is not None:  # padded steps pass the gradient straight through
                kept = node.keep[:, t:t + 1]
                passed, dh = np.where(kept, 0.0, dh), np.where(kept, dh, 0.0)
            h, z, r, cand = s["h"][t], s["z"][t], s["r"][t], s["cand"][t]
            da = dh * (1.0 - z) * (1.0 - cand * cand)  # at tanh's input
            daz = dh * (h - cand) * s["dz"][t]
            dprev = dh * z
            if node.reset_after:
                dar = da * s["hh"][t] * s["dr"][t]
                dstate[t] = np.concatenate([daz, dar, da * r], axis=1)
                dprev += dstate[t] @ recurrent.T
            else:
                drh = da @ recurrent[:, 2 * u:].T  # gradient at r * h
                dar = drh * h * s["dr"][t]
                dstate[t] = np.concatenate([daz, dar], axis=1)
                dcand_in[t] = da
                dprev += drh * r + dstate[t] @ recurrent[:, :2 * u].T
            dxw[:, t] = np.concatenate([daz, dar, da], axis=1)
            carry = dprev if node.keep is None else dprev + passed
        h_all = s["h"].reshape(steps * n, u)
        if node.reset_after:
            drec = h_all.T @ dstate.reshape(steps * n, 3 * u)
            return dxw, drec, dstate.sum(axis=(0, 1))
        rh = (s["r"] * s["h"]).reshape(steps * n, u)
        drec = np.concatenate([h_all.T @ dstate.reshape(steps * n, 2 * u),
                               rh.T @ dcand_in.reshape(steps * n, u)], axis=1)
        return dxw, drec


def gru_sequence(xw, recurrent, b_rec, reset_after, gate, slope, keep=None):
    inputs = (xw, recurrent, b_rec) if reset_after else (xw, recurrent)
    return GRUSequence(reset_after, gate, slope, keep).apply(inputs)[0]
