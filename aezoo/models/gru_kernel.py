"""Keras's GRU recurrence over all steps as one Chainer FunctionNode (CPU, numpy).

Chainer's graph of a GRU step is some fifteen functions, each with its type
checks and its own pass over memory; over 30 steps and back, that overhead is
most of the time. Here the input projection x W + b stays outside (one matmul
for all steps, models/keras_gru.py), and this node runs the recurrence forward
and back through time in plain numpy, fused per step:

    inputs   xw (N, T, 3u) projected input; R (u, 3u); with reset_after also b_rec (3u,)
    output   h (N, T, u), every step's state (carried over where `keep` is False)

The equations are those of keras_gru.py; tests/unit/models/test_kernels.py checks values and
gradients against the stock graph. With numba (models/jit.py) and the kernel "gru_gates" on
(models/fast.py), all the steps are one parallel numba call each way
(models/gates.py: each thread takes its rows through every step, a product and
then the step's gates); otherwise each step is a dozen numpy calls.
"""
import chainer
import numpy as np

from aezoo.models import gates


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
        b_rec = inputs[2] if self.reset_after else None
        self.fused = gates.take("gru_gates", xw)
        out = (self.forward_fused if self.fused else self.forward_numpy)(xw, recurrent, b_rec)
        self.retain_inputs((1,))
        return out,

    def forward_fused(self, xw, recurrent, b_rec):
        """All steps in one parallel numba call (gates.py), each thread taking
        its rows through every step: np.dot, then the step's gates."""
        xw = np.ascontiguousarray(xw)
        n, steps, three_u = xw.shape
        u = three_u // 3
        keep, (hard, slope) = gates.keep_mask(self.keep, n, steps), gates.gate_kind(
            self.gate, self.slope)
        chunks = gates.chunks(n)
        h = np.zeros((n, u), xw.dtype)
        out = np.empty((n, steps, u), xw.dtype)
        if self.reset_after:
            saved = np.empty((steps, n, 4 * u), xw.dtype)  # z, r, candidate, h Rh + b_rec
            gates.run(
                gates.gru_after_steps, xw, np.ascontiguousarray(recurrent),
                np.ascontiguousarray(b_rec), keep, hard, slope, chunks, h,
                np.empty((n, 3 * u), xw.dtype), saved, out)
            self.saved = saved, out, None
            return out
        saved = np.empty((steps, n, 3 * u), xw.dtype)  # z, r, candidate
        rh = np.empty((n, steps, u), xw.dtype)  # r * h, the input of the candidate's matmul
        gates.run(
            gates.gru_steps, xw, np.ascontiguousarray(recurrent[:, :2 * u]),
            np.ascontiguousarray(recurrent[:, 2 * u:]), keep, hard, slope, chunks, h,
            np.empty((n, 2 * u), xw.dtype), np.empty((n, u), xw.dtype),
            np.empty((n, u), xw.dtype), saved, rh, out)
        self.saved = saved, out, rh
        return out

    def forward_numpy(self, xw, recurrent, b_rec):
        n, steps, three_u = xw.shape
        u = three_u // 3
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
        return out

    def backward(self, indexes, grad_outputs):
        recurrent, = self.get_retained_inputs()
        return GRUSequenceGrad(self).apply((recurrent, grad_outputs[0]))  # every input's


class GRUSequenceGrad(chainer.function_node.FunctionNode):
    """Back through time (once differentiable: no double backprop)."""

    def __init__(self, node):
        self.node = node

    def forward_cpu(self, inputs):
        recurrent, gh = inputs
        return (self.backward_fused if self.node.fused else self.backward_numpy)(recurrent, gh)

    def backward_fused(self, recurrent, gh):
        node, (saved, out, rh) = self.node, self.node.saved
        gh = np.ascontiguousarray(gh)
        n, steps, u = out.shape
        keep, (hard, slope) = gates.keep_mask(node.keep, n, steps), gates.gate_kind(
            node.gate, node.slope)
        chunks = gates.chunks(n)
        h_before = np.concatenate([np.zeros((n, 1, u), out.dtype), out[:, :-1]], axis=1)
        dxw = np.empty((n, steps, 3 * u), gh.dtype)
        mm, part = np.zeros((n, u), gh.dtype), np.zeros((n, u), gh.dtype)  # dprev = mm + part
        if node.reset_after:
            dstate = np.empty((n, steps, 3 * u), gh.dtype)  # at h R + b_rec
            gates.run(
                gates.gru_after_steps_back, gh, np.ascontiguousarray(recurrent.T),
                keep, hard, slope, chunks, saved, h_before, mm, part,
                np.empty((n, 3 * u), gh.dtype), dxw, dstate)
            flat = dstate.reshape(n * steps, 3 * u)
            return dxw, h_before.reshape(n * steps, u).T @ flat, flat.sum(axis=0)
        gates.run(
            gates.gru_steps_back, gh, np.ascontiguousarray(recurrent[:, :2 * u].T),
            np.ascontiguousarray(recurrent[:, 2 * u:].T), keep, hard, slope, chunks, saved,
            h_before, mm, part, np.empty((n, u), gh.dtype), np.empty((n, u), gh.dtype),
            np.empty((n, u), gh.dtype), np.empty((n, 2 * u), gh.dtype), dxw)
        flat = dxw.reshape(n * steps, 3 * u)
        drec = np.concatenate([h_before.reshape(n * steps, u).T @ flat[:, :2 * u],
                               rh.reshape(n * steps, u).T @ flat[:, 2 * u:]], axis=1)
        return dxw, drec

    def backward_numpy(self, recurrent, gh):
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
