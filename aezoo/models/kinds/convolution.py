"""conv:CHANNELS[:KERNEL[:STRIDE[:PADDING]]], a 2-D convolution of a map (C, H, W).

'same' padding by default, as the zoo's 3x3 convolutions: a stride-1 conv keeps the size,
a stride-s conv gives ceil(H / s). 'valid' adds none, 'full' k - 1 on each side. Its
mirror for a decoder undoes the size: unpooling by the stride, then a conv back to the
input's channels with the padding that restores the size (same <-> same, valid <-> full).
"""
import numpy as np

from aezoo.models.kinds.kind import Kind
from aezoo.models.layers import Conv3x3

PADDINGS = ("same", "valid", "full")
MAX_CHANNELS, MAX_KERNEL = 1 << 16, 31


def conv_numpy(x, layer, w):
    """(N, C, H, W) -> (N, C_out, H_out, W_out): each kernel tap a 1x1 convolution of the
    shifted (strided) image."""
    k, s, p = layer["kernel"], layer["stride"], layer["pad"]
    padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    h = (padded.shape[2] - k) // s + 1
    width = (padded.shape[3] - k) // s + 1
    out = np.zeros((len(x), w["W"].shape[0], h, width), x.dtype)
    for dy in range(k):
        for dx in range(k):
            window = padded[:, :, dy:dy + s * (h - 1) + 1:s, dx:dx + s * (width - 1) + 1:s]
            out += np.einsum("oc,nchw->nohw", w["W"][:, :, dy, dx], window, optimize=True)
    return out + w["b"][None, :, None, None]


class ConvKind(Kind):
    name, weighted = "conv", True
    params = (("channels", int, None), ("kernel", int, 3), ("stride", int, 1),
              ("padding", str, "same"))
    help = "2-D convolution: conv:CHANNELS[:KERNEL[:STRIDE[:PADDING]]], 3x3 'same' by default"
    numpy = staticmethod(conv_numpy)

    @classmethod
    def example(cls):
        return "16"

    def check(self):
        if not 0 < self.channels <= MAX_CHANNELS:
            raise ValueError(f"channels {self.channels}: expected 1 to {MAX_CHANNELS}")
        if not 0 < self.kernel <= MAX_KERNEL:
            raise ValueError(f"kernel {self.kernel}: expected 1 to {MAX_KERNEL}")
        if self.padding == "same" and self.kernel % 2 == 0:
            raise ValueError(f"kernel {self.kernel}: 'same' padding needs an odd kernel")
        if not 0 < self.stride <= MAX_KERNEL:
            raise ValueError(f"stride {self.stride}: expected 1 to {MAX_KERNEL}")
        if self.padding not in PADDINGS:
            raise ValueError(f"padding {self.padding!r}: expected {', '.join(PADDINGS)}")

    @property
    def pad(self):
        return {"same": (self.kernel - 1) // 2, "valid": 0, "full": self.kernel - 1}[self.padding]

    def out_shape(self, shape):
        if len(shape) != 3:
            raise ValueError(f"a conv takes a map (C, H, W), not {tuple(shape)}: put "
                             f"reshape:C,H,W before it")
        size = [(v + 2 * self.pad - self.kernel) // self.stride + 1 for v in shape[1:]]
        if min(size) < 1:
            raise ValueError(f"a {self.kernel}x{self.kernel} {self.padding} conv does not fit a "
                             f"{shape[1]}x{shape[2]} map")
        return (self.channels,) + tuple(size)

    def link(self, shape, init):
        return Conv3x3(shape[0], self.channels, self.kernel, stride=self.stride, pad=self.pad,
                       initialW=init)


    def mirror(self, shape_in, shape_out):
        from aezoo.models.kinds.pooling import UnpoolKind
        back = PADDINGS[{"same": 0, "valid": 2, "full": 1}[self.padding]]
        if self.stride == 1:
            return [ConvKind(channels=shape_in[0], kernel=self.kernel, padding=back)]
        # the stride-1 output's size, which the strided one subsampled
        full = tuple(v + 2 * self.pad - self.kernel + 1 for v in shape_in[1:])
        return [UnpoolKind(factor=self.stride, size=full),
                ConvKind(channels=shape_in[0], kernel=self.kernel, padding=back)]

    def exported(self, link):
        return {"kernel": self.kernel, "stride": self.stride, "pad": self.pad}
