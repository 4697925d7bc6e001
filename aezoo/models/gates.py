"""The GRU's and LSTM's recurrence in numba: all the steps of a sequence in one parallel call,
forward or back, each thread carrying its share of the batch's rows through every step.

    chunks = gates.chunks(n)                  # one share of the rows a numba thread
    gates.run(gates.lstm_steps, xw, U, keep, hard, slope, chunks, h, acts, cells, tanh_c, out)

A recurrence's rows never meet: row i's step t needs only row i's step t - 1. So instead of
one parallel call a step (numpy's matmul on both BLAS threads, then a numba kernel for the
gates: 60 to 120 times a call that the threads are woken and wait for each other, about
0.1 ms each here), each thread takes rows lo..hi and runs all the steps on them alone:

    for t in steps:  h[lo:hi] R  (np.dot: a single-threaded sgemm), then the step on lo..hi

- **The products stay in a BLAS**: numba's np.dot calls scipy's OpenBLAS, which `run` keeps
  to one thread for the call (jit.dot_blas_on_one_thread), as each of numba's threads calls
  it for its own rows; numpy's OpenBLAS (every other product) keeps its count, and scipy's
  gets its own back after the call. A product's input must be contiguous, so the rows of a
  step that sit inside a (N, T, .) array are copied to a (N, .) scratch first (`step`), and
  a slice of the recurrent kernel comes in as its own contiguous copy (the node makes it,
  once a call). Each product writes the rows lo..hi of the node's scratch (hw, hh, mm, drh)
  or, in the LSTM's forward, of acts[t].
- **A step** (gru_forward_after, lstm_backward, ...) is everything elementwise around its
  product, over rows lo..hi: forward the gates, candidate, new state and what backward
  reads; backward the gates' gradients, written straight into dxw and dstate, and the
  elementwise part of the previous state's gradient. numpy's way is a dozen calls a step on
  (N, u) arrays, each with its overhead and its pass over memory, on one thread; here it is
  one pass, the inner loops vectorized.
- **One file**: numba's cache checks a kernel's own source file only, so the step functions
  and helpers the sequence kernels compile in must live here, beside them; otherwise an edit
  to a helper would leave the cached kernels running the old code (tests/unit/models/
  test_jit.py checks every kernel's helpers are of its own module).
- **tanh** is Eigen's rational approximation (a 13/6 polynomial ratio), since numba's
  math.tanh is a scalar libm call that does not vectorize without Intel's SVML. On float32
  it is within 3.4e-7 of tanh (numpy's float32 tanh: 6e-8), clamped to [-1, 1]; it takes
  56 us for 100,000 floats on one thread, numpy's tanh 458 us. The sigmoid is
  0.5 + 0.5 tanh(a / 2), as in the numpy path. float64 keeps the numpy path (`take`).
- **Helpers** (tanh, gate, ...) are kernels the kernels call (jit.py); LLVM inlines them,
  cached or not, so the loops around them vectorize.
- **Gate derivatives from the gate's value**: sigmoid v (1 - v); hard_sigmoid its slope where
  0 < v < 1 (at exactly the kinks Chainer's clip passes the slope, here 0).
- **keep**: a padded step (keep False) carries the state over and passes the gradient straight
  through, as in the numpy path.
- error_model="numpy": a division raises nothing, so the loops vectorize.

Array layouts: xw, gh, out, dxw (N, T, .) as the node gets and gives them; what a step saves
(T, N, .). `lo, hi` are the rows, `t` the step, `hard` whether the gates are hard_sigmoid
(float32 `slope`). gru_kernel.py and lstm_kernel.py call the sequence kernels when `take`
says so ("gru_gates", "lstm_gates" in models/fast.py).
"""
import numpy as np

from aezoo.models import fast, jit

prange = range  # numba.prange once a kernel compiles (jit.py)
F = np.float32
KERNEL = dict(parallel=True, error_model="numpy")
HELPER = dict(error_model="numpy")  # what the kernels call: LLVM inlines it and vectorizes


def take(name, xw):
    """Whether the kernel `name` ("gru_gates", "lstm_gates") runs on xw: on (models/fast.py),
    numba there, and float32, whose precision the tanh here is made for (float64 keeps numpy)."""
    return fast.on(name) and xw.dtype == np.float32 and jit.available()


def keep_mask(keep, n, steps):
    """The kernels' keep: (N, T) booleans, all True without padding."""
    if keep is None:
        return np.ones((n, steps), np.bool_)
    return np.ascontiguousarray(keep, np.bool_)


def gate_kind(gate, slope):
    """(hard, slope) as the kernels take them."""
    return gate != "sigmoid", np.float32(slope or 0.0)


def chunks(n):
    """Shares of n rows: one a numba thread, never an empty one."""
    return max(1, min(n, jit.threads()))


def run(kernel, *args):
    """kernel(*args) with the BLAS its np.dot calls on one thread for the call (jit.py)."""
    with jit.dot_blas_on_one_thread():
        kernel(*args)


@jit.kernel(**HELPER)
def rows(c, chunks, n):
    """Share c's rows, lo..hi."""
    return c * n // chunks, (c + 1) * n // chunks


@jit.kernel(**HELPER)
def thirds(row, u):
    """A row's three gate blocks, as views."""
    return row[:u], row[u:2 * u], row[2 * u:3 * u]


@jit.kernel(**HELPER)
def quarters(row, u):
    """A row's four gate blocks, as views."""
    return row[:u], row[u:2 * u], row[2 * u:3 * u], row[3 * u:4 * u]


@jit.kernel(**HELPER)
def zero(a):
    for j in range(a.shape[0]):
        a[j] = F(0.0)


@jit.kernel(**HELPER)
def tanh(a):
    """Eigen's generic_fast_tanh_float: its input clamped to [-9, 9], where float32's tanh is
    +-1, and its value to [-1, 1], so that 1 - tanh^2 is never negative."""
    x = min(max(a, F(-9.0)), F(9.0))
    x2 = x * x
    p = x2 * F(-2.76076847742355e-16) + F(2.00018790482477e-13)
    p = x2 * p + F(-8.60467152213735e-11)
    p = x2 * p + F(5.12229709037114e-08)
    p = x2 * p + F(1.48572235717979e-05)
    p = x2 * p + F(6.37261928875436e-04)
    p = x2 * p + F(4.89352455891786e-03)
    q = x2 * F(1.19825839466702e-06) + F(1.18534705686654e-04)
    q = x2 * q + F(2.26843463243900e-03)
    q = x2 * q + F(4.89352518554385e-03)
    return min(max(x * p / q, F(-1.0)), F(1.0))  # the ratio overshoots 1 by an ulp near 9


@jit.kernel(**HELPER)
def gate(a, hard, slope):
    if hard:
        return min(max(a * slope + F(0.5), F(0.0)), F(1.0))
    return F(0.5) + F(0.5) * tanh(F(0.5) * a)


@jit.kernel(**HELPER)
def gate_grad(v, hard, slope):
    """The gate's derivative from its value v."""
    if hard:
        return slope if F(0.0) < v < F(1.0) else F(0.0)
    return v * (F(1.0) - v)


@jit.kernel(**HELPER)
def gru_blend(z, cand, kept, h, out):
    """The GRU's new state, z h + (1 - z) cand, into h and out (kept over padding)."""
    for j in range(h.shape[0]):
        new = z[j] * h[j] + (F(1.0) - z[j]) * cand[j] if kept else h[j]
        h[j], out[j] = new, new


@jit.kernel(**HELPER)
def gru_forward_after(lo, hi, xw, t, hw, b_rec, keep, hard, slope, h, saved, out):
    """reset_after=True, after hw = h R: h (N, u) becomes the new state (written to out[:, t]
    too); saved[t] (N, 4u) gets z, r, the candidate and h Rh + b_rec's h block."""
    u = h.shape[1]
    for i in range(lo, hi):
        x, w, s = xw[i, t], hw[i], saved[t, i]
        for j in range(2 * u):  # z and r
            s[j] = gate(x[j] + w[j] + b_rec[j], hard, slope)
        sz, sr, sc, shh = quarters(s, u)
        xh, wh, bh = x[2 * u:], w[2 * u:], b_rec[2 * u:]
        for j in range(u):
            shh[j] = wh[j] + bh[j]
        for j in range(u):
            sc[j] = tanh(xh[j] + sr[j] * shh[j])
        gru_blend(sz, sc, keep[i, t], h[i], out[i, t])


@jit.kernel(**HELPER)
def gru_backward_after(lo, hi, gh, t, mm, part, keep, hard, slope, saved, h_before, dxw, dstate):
    """reset_after=True, one step back: the state's gradient is gh[:, t] + mm + part (mm is the
    later step's dstate R^T); writes dxw[:, t] (z, r, h blocks at their inputs), dstate[:, t]
    (at h R + b_rec) and the elementwise part of the earlier state's gradient into part."""
    u = part.shape[1]
    for i in range(lo, hi):
        g, m, dh = gh[i, t], mm[i], part[i]
        for j in range(u):
            dh[j] += g[j] + m[j]
        if keep[i, t]:
            sz, sr, sc, shh = quarters(saved[t, i], u)
            dz, dr, da = thirds(dxw[i, t], u)
            hb, ds = h_before[i, t], dstate[i, t]
            for j in range(u):  # at tanh's input
                da[j] = dh[j] * (F(1.0) - sz[j]) * (F(1.0) - sc[j] * sc[j])
            for j in range(u):
                dz[j] = dh[j] * (hb[j] - sc[j]) * gate_grad(sz[j], hard, slope)
            for j in range(u):
                dr[j] = da[j] * shh[j] * gate_grad(sr[j], hard, slope)
            dx = dxw[i, t]
            for j in range(2 * u):
                ds[j] = dx[j]
            dsh = ds[2 * u:]
            for j in range(u):
                dsh[j] = da[j] * sr[j]
            for j in range(u):
                dh[j] *= sz[j]
        else:  # padded: all of it passes to the earlier state
            zero(dxw[i, t])
            zero(dstate[i, t])


@jit.kernel(**HELPER)
def gru_forward_gates(lo, hi, xw, t, hw, hard, slope, h, saved, rh):
    """reset_after=False, after hw = h R[:, :2u]: z and r into saved[t] (N, 3u), and r h
    into rh[:, t], the next product's input."""
    u = h.shape[1]
    for i in range(lo, hi):
        x, w, s = xw[i, t], hw[i], saved[t, i]
        for j in range(2 * u):
            s[j] = gate(x[j] + w[j], hard, slope)
        sr, hrow, ri = s[u:2 * u], h[i], rh[i, t]
        for j in range(u):
            ri[j] = sr[j] * hrow[j]


@jit.kernel(**HELPER)
def gru_forward_state(lo, hi, xw, t, hh, keep, h, saved, out):
    """reset_after=False, after hh = (r h) Rh: the candidate into saved[t], the new state into
    h and out[:, t]."""
    u = h.shape[1]
    for i in range(lo, hi):
        sz, _, sc = thirds(saved[t, i], u)
        xh, hhi = xw[i, t, 2 * u:], hh[i]
        for j in range(u):
            sc[j] = tanh(xh[j] + hhi[j])
        gru_blend(sz, sc, keep[i, t], h[i], out[i, t])


@jit.kernel(**HELPER)
def gru_backward_candidate(lo, hi, gh, t, mm, part, keep, saved, dh, dxw):
    """reset_after=False, one step back, first half: the state's gradient (gh[:, t] + mm +
    part) into dh, zero where padded (where part takes it all), and the candidate's input
    gradient into dxw[:, t]'s h block."""
    u = part.shape[1]
    for i in range(lo, hi):
        g, m, p, d, da = gh[i, t], mm[i], part[i], dh[i], dxw[i, t, 2 * u:]
        for j in range(u):
            p[j] += g[j] + m[j]
        if keep[i, t]:
            sz, _, sc = thirds(saved[t, i], u)
            for j in range(u):
                d[j] = p[j]
            for j in range(u):
                da[j] = d[j] * (F(1.0) - sz[j]) * (F(1.0) - sc[j] * sc[j])
            zero(p)
        else:  # padded: all of it passes to the earlier state
            zero(d)
            zero(da)


@jit.kernel(**HELPER)
def gru_backward_gates(lo, hi, t, drh, hard, slope, saved, h_before, dh, part, dxw):
    """reset_after=False, second half, after drh = dxw[:, t]'s h block Rh^T (the gradient at
    r h): the z and r blocks of dxw[:, t], and the earlier state's elementwise part added to
    part (padded rows have dh = 0 and drh = 0, so they add nothing)."""
    u = dh.shape[1]
    for i in range(lo, hi):
        sz, sr, sc = thirds(saved[t, i], u)
        dz, dr, _ = thirds(dxw[i, t], u)
        hb, d, g, p = h_before[i, t], dh[i], drh[i], part[i]
        for j in range(u):
            dz[j] = d[j] * (hb[j] - sc[j]) * gate_grad(sz[j], hard, slope)
        for j in range(u):
            dr[j] = g[j] * hb[j] * gate_grad(sr[j], hard, slope)
        for j in range(u):
            p[j] += d[j] * sz[j] + g[j] * sr[j]


@jit.kernel(**HELPER)
def lstm_forward(lo, hi, xw, t, acts, keep, hard, slope, cells, tanh_c, h, out):
    """After acts[t] = h U: acts[t] (N, 4u) becomes the gates i, f, g, o after their functions,
    cells[t + 1] the new c (cells[0] = 0), tanh_c[t] its tanh, h and out[:, t] the new h."""
    u = h.shape[1]
    for i in range(lo, hi):
        x, a = xw[i, t], acts[t, i]
        for j in range(2 * u):  # i and f
            a[j] = gate(a[j] + x[j], hard, slope)
        ig, fg, g, o = quarters(a, u)
        _, _, xg, xo = quarters(x, u)
        for j in range(u):
            g[j] = tanh(g[j] + xg[j])
        for j in range(u):
            o[j] = gate(o[j] + xo[j], hard, slope)
        c_before, c, tc, kept = cells[t, i], cells[t + 1, i], tanh_c[t, i], keep[i, t]
        for j in range(u):  # padded: the whole state carries over
            c[j] = fg[j] * c_before[j] + ig[j] * g[j] if kept else c_before[j]
        for j in range(u):
            tc[j] = tanh(c[j])
        hrow, out_i = h[i], out[i, t]
        for j in range(u):
            new = o[j] * tc[j] if kept else hrow[j]
            hrow[j], out_i[j] = new, new


@jit.kernel(**HELPER)
def lstm_backward(lo, hi, gh, t, mm, part, carry_c, keep, hard, slope, acts, cells, tanh_c, dxw):
    """One step back: h's gradient is gh[:, t] + mm + part (mm the later step's dxw U^T), c's
    carry_c; writes dxw[:, t] (the gates' inputs), and the earlier state's elementwise parts
    into part (h) and carry_c (c)."""
    u = part.shape[1]
    for i in range(lo, hi):
        g_out, m, dh, dc = gh[i, t], mm[i], part[i], carry_c[i]
        for j in range(u):
            dh[j] += g_out[j] + m[j]
        if keep[i, t]:
            ig, fg, g, o = quarters(acts[t, i], u)
            di, df, dg, do = quarters(dxw[i, t], u)
            c_before, tc = cells[t, i], tanh_c[t, i]
            for j in range(u):  # through h = o tanh(c)
                dc[j] += dh[j] * o[j] * (F(1.0) - tc[j] * tc[j])
            for j in range(u):
                di[j] = dc[j] * g[j] * gate_grad(ig[j], hard, slope)
            for j in range(u):
                df[j] = dc[j] * c_before[j] * gate_grad(fg[j], hard, slope)
            for j in range(u):
                dg[j] = dc[j] * ig[j] * (F(1.0) - g[j] * g[j])
            for j in range(u):
                do[j] = dh[j] * tc[j] * gate_grad(o[j], hard, slope)
            for j in range(u):
                dh[j], dc[j] = F(0.0), dc[j] * fg[j]
        else:  # padded: both gradients pass to the earlier state
            zero(dxw[i, t])


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
