"""The GRU's and LSTM's whole recurrence, forward or back, as one parallel numba call: each
thread carries its share of the batch's rows through every step.

    chunks = recurrence_kernels.chunks(n)     # one share of the rows a numba thread
    run(lstm_steps, xw, U, keep, hard, slope, chunks, h, acts, cells, tanh_c, out)

A recurrence's rows never meet: row i's step t needs only row i's step t - 1. So instead of
one parallel call a step (numpy's matmul on both BLAS threads, then a numba kernel for the
gates: 60 to 120 times a call that the threads are woken and wait for each other, about
0.1 ms each here), each thread takes rows lo..hi and runs all the steps on them alone:

    for t in steps:  h[lo:hi] R  (np.dot: a single-threaded sgemm), then gates.py on lo..hi

The products stay in a BLAS: numba's np.dot calls scipy's OpenBLAS, which `run` keeps to
one thread for the call (jit.dot_blas_on_one_thread), as each of numba's threads calls it for
its own rows; numpy's OpenBLAS (every other product) keeps its count, and scipy's gets its
own back after the call. A product's input must be contiguous, so the rows of a step that sit inside a (N, T, .)
array are copied to a (N, .) scratch first (`step`), and a slice of the recurrent kernel
comes in as its own contiguous copy (the node makes it, once a call).

Array layouts and arguments are those of gates.py, whose per-step functions these call;
what each product writes is the node's scratch (hw, hh, mm, drh), shared by all threads,
each writing its own rows. gru_kernel.py and lstm_kernel.py call these when `gates.take`
says so ("gru_gates", "lstm_gates" in models/fast.py).
"""
import numpy as np

from aezoo.models import jit
from aezoo.models.gates import (gru_backward_after, gru_backward_candidate, gru_backward_gates,
                                gru_forward_after, gru_forward_gates, gru_forward_state,
                                lstm_backward, lstm_forward)

prange = range  # numba.prange once a kernel compiles (jit.py)
KERNEL = dict(parallel=True, error_model="numpy")


def chunks(n):
    """Shares of n rows: one a numba thread, never an empty one."""
    return max(1, min(n, jit.threads()))


def run(kernel, *args):
    """kernel(*args) with the BLAS its np.dot calls on one thread for the call (jit.py)."""
    with jit.dot_blas_on_one_thread():
        kernel(*args)


@jit.kernel(error_model="numpy")
def rows(c, chunks, n):
    """Share c's rows, lo..hi."""
    return c * n // chunks, (c + 1) * n // chunks


@jit.kernel(**KERNEL)
def gru_after_steps(xw, recurrent, b_rec, keep, hard, slope, chunks, h, hw, saved, out):
    """reset_after=True, every step: hw = h R, then gates.gru_forward_after."""
    n, steps = xw.shape[0], xw.shape[1]
    for c in prange(chunks):
        lo, hi = rows(c, chunks, n)
        for t in range(steps):
            np.dot(h[lo:hi], recurrent, hw[lo:hi])
            gru_forward_after(lo, hi, xw, t, hw, b_rec, keep, hard, slope, h, saved, out)


@jit.kernel(**KERNEL)
def gru_after_steps_back(gh, recurrent_t, keep, hard, slope, chunks, saved, h_before, mm,
                         part, step, dxw, dstate):
    """reset_after=True, every step back: gates.gru_backward_after, then mm = dstate[:, t] R^T
    for the step before (recurrent_t is R^T)."""
    n, steps = gh.shape[0], gh.shape[1]
    for c in prange(chunks):
        lo, hi = rows(c, chunks, n)
        for t in range(steps - 1, -1, -1):
            gru_backward_after(lo, hi, gh, t, mm, part, keep, hard, slope, saved, h_before,
                               dxw, dstate)
            if t:
                for i in range(lo, hi):
                    step[i] = dstate[i, t]
                np.dot(step[lo:hi], recurrent_t, mm[lo:hi])


@jit.kernel(**KERNEL)
def gru_steps(xw, r_zr, r_h, keep, hard, slope, chunks, h, hw, hh, step, saved, rh, out):
    """reset_after=False, every step: hw = h R_zr, gates.gru_forward_gates, hh = (r h) R_h,
    gates.gru_forward_state (r_zr, r_h: R's first two blocks and its last)."""
    n, steps = xw.shape[0], xw.shape[1]
    for c in prange(chunks):
        lo, hi = rows(c, chunks, n)
        for t in range(steps):
            np.dot(h[lo:hi], r_zr, hw[lo:hi])
            gru_forward_gates(lo, hi, xw, t, hw, hard, slope, h, saved, rh)
            for i in range(lo, hi):
                step[i] = rh[i, t]
            np.dot(step[lo:hi], r_h, hh[lo:hi])
            gru_forward_state(lo, hi, xw, t, hh, keep, h, saved, out)


@jit.kernel(**KERNEL)
def gru_steps_back(gh, r_zr_t, r_h_t, keep, hard, slope, chunks, saved, h_before, mm, part,
                   dh, drh, step_h, step_zr, dxw):
    """reset_after=False, every step back: gates.gru_backward_candidate, drh = (its h block)
    R_h^T, gates.gru_backward_gates, then mm = (the z and r blocks) R_zr^T."""
    n, steps, three_u = dxw.shape
    u = three_u // 3
    for c in prange(chunks):
        lo, hi = rows(c, chunks, n)
        for t in range(steps - 1, -1, -1):
            gru_backward_candidate(lo, hi, gh, t, mm, part, keep, saved, dh, dxw)
            for i in range(lo, hi):
                step_h[i] = dxw[i, t, 2 * u:]
            np.dot(step_h[lo:hi], r_h_t, drh[lo:hi])
            gru_backward_gates(lo, hi, t, drh, hard, slope, saved, h_before, dh, part, dxw)
            if t:
                for i in range(lo, hi):
                    step_zr[i] = dxw[i, t, :2 * u]
                np.dot(step_zr[lo:hi], r_zr_t, mm[lo:hi])


@jit.kernel(**KERNEL)
def lstm_steps(xw, recurrent, keep, hard, slope, chunks, h, acts, cells, tanh_c, out):
    """Every step: acts[t] = h U, then gates.lstm_forward."""
    n, steps = xw.shape[0], xw.shape[1]
    for c in prange(chunks):
        lo, hi = rows(c, chunks, n)
        for t in range(steps):
            np.dot(h[lo:hi], recurrent, acts[t, lo:hi])
            lstm_forward(lo, hi, xw, t, acts, keep, hard, slope, cells, tanh_c, h, out)


@jit.kernel(**KERNEL)
def lstm_steps_back(gh, recurrent_t, keep, hard, slope, chunks, acts, cells, tanh_c, mm,
                    part, carry_c, step, dxw):
    """Every step back: gates.lstm_backward, then mm = dxw[:, t] U^T for the step before."""
    n, steps = gh.shape[0], gh.shape[1]
    for c in prange(chunks):
        lo, hi = rows(c, chunks, n)
        for t in range(steps - 1, -1, -1):
            lstm_backward(lo, hi, gh, t, mm, part, carry_c, keep, hard, slope, acts, cells,
                          tanh_c, dxw)
            if t:
                for i in range(lo, hi):
                    step[i] = dxw[i, t]
                np.dot(step[lo:hi], recurrent_t, mm[lo:hi])
