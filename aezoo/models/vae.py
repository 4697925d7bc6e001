"""Variational autoencoder (Kingma & Welling): encoder -> (mu, log sigma^2) -> z -> decoder.

    python -m aezoo.run vae --data digits                   # 64-500-20, Chainer's examples/vae shape
    python -m aezoo.run vae --hidden 256 --code-dim 2       # the Keras blog's, with a 2-D code

The body is a zoo model without its code: `--encoder dense` stacks ReLU layers of
`hidden` widths (DeepAE), `--encoder conv` the conv stages of ConvAE. On top, two
linear heads give mu and log sigma^2; z = mu + sigma * eps is drawn from the run's
random Generator (so resume is exact), and a ReLU layer takes z back to the body's
decoder, whose output is Bernoulli (sigmoid) as in every zoo model.

Loss per image = reconstruction (BCE summed over pixels, averaged over the batch, as
Chainer's examples/vae) + beta * kl_scale * KL(q(z|x) || N(0, I)). kl_scale is 1
unless a training schedule (--kl-warmup) lowers it. Reported: loss, reconstruction,
kl, elbo (= reconstruction + KL, nats per image) and bce per pixel; in evaluation also
elbo_mean (z = mu), the head's scores of the mean reconstruction (bce, mse, sqerr),
and with iw_samples K the importance-weighted estimate of -log p(x) (iw_nll).
encode(x) is mu and reconstruct(x) = decode(mu): the mean path, which export writes.
"""
import chainer
import chainer.functions as F
import numpy as np

from aezoo.models.abilities import Generative, Growable, Samples
from aezoo.models.base import Autoencoder
from aezoo.models.option import MAX_WEIGHT, Limits
from aezoo.models.heads import bce
from aezoo.models.conv import ConvAE
from aezoo.models.deep import DeepAE
from aezoo.models.layers import dense, describe, reshape
from aezoo.models.relu_kernel import relu

ENCODERS = ("dense", "conv")


class VAE(Growable, Generative, Samples, Autoencoder):
    option_limits = {"beta": Limits(0, MAX_WEIGHT)}  # a loss weight: float32 overflows above
    option_help = {
        "hidden": "dense: hidden widths, e.g. 500; conv: channels of the conv stages",
        "code_dim": "dimensions of z (2 draws the manifold of the code space)",
        "encoder": "dense or conv",
        "beta": "weight of the KL term (beta-VAE; 1 is the ELBO)",
        "iw_samples": "also estimate -log p(x) with K importance samples at evaluation",
        "depth": "dense layers to build at the start, the outermost of hidden "
                 "(default: all, or 1 when growing)",
    }
    option_choices = {"encoder": ENCODERS}
    best_score = "elbo"  # unlike the loss, not moved by a KL warm-up

    def __init__(self, input_shape, *, hidden: list = (500,), code_dim: int = 20,
                 encoder: str = "dense", beta: float = 1.0, iw_samples: int = None,
                 depth: int = None):
        super().__init__(input_shape)
        if encoder not in ENCODERS:
            raise ValueError(f"encoder {encoder!r}: expected dense or conv")
        self.hidden, self.code_dim, self.encoder = list(hidden), code_dim, encoder
        self.beta, self.iw_samples = beta, iw_samples
        self.add_persistent("kl_scale", 1.0)  # a warm-up schedule sets it, per batch
        self.rng = np.random.default_rng(0)  # set_rng() gives it the run's Generator
        with self.init_scope():
            if encoder == "dense":
                start = self.hidden[:depth]  # growth starts with the outermost layers
                self.body = DeepAE(input_shape, hidden=start[:-1], code_dim=start[-1])
                self.inner = (start[-1],)
            else:
                self.body = ConvAE(input_shape, hidden=self.hidden)
                self.inner = self.body.map_shape
            flat = int(np.prod(self.inner))
            self.mu = dense(flat, code_dim)
            self.ln_var = dense(flat, code_dim)
            self.from_z = dense(code_dim, flat)

    @classmethod
    def fit_to_data(cls, options, input_shape, given):
        if options["encoder"] == "conv":
            return ConvAE.fit_to_data(options, input_shape, given)
        return options

    def set_rng(self, rng):
        """Draw z from `rng` (the run's Generator, which checkpoints keep)."""
        self.rng = rng

    def training_only_params(self):
        """The log sigma^2 head: sampling needs it, the mean path (layers(), export) does not."""
        return int(sum(p.size for p in self.ln_var.params()))

    def arch(self):
        if self.encoder == "dense":
            self.hidden = self.body.widths[1:]  # grown layers included
        return {"hidden": self.hidden, "code_dim": self.code_dim, "encoder": self.encoder,
                "beta": self.beta, "iw_samples": self.iw_samples}

    # Growth (train/growth.py): a dense VAE grows as its body does, a new pair under the
    # heads. The heads and the layer from z are re-expressed through the new pair's linear
    # maps, so with the identity init the model's function barely changes.
    @staticmethod
    def growth_plan(options):
        return list(options["hidden"])

    @staticmethod
    def check_growth(options):
        if options["encoder"] != "dense":
            raise ValueError("a conv encoder cannot grow; use --encoder dense")
        if options.get("fade_in"):
            raise ValueError("a vae grows without fade-in (its heads move to the new layer at once)")

    @property
    def depth(self):
        """The dense body's depth; None for a conv encoder, which does not grow."""
        return self.body.depth if isinstance(self.body, Growable) else None

    @property
    def widths(self):
        return self.body.widths if isinstance(self.body, Growable) else None

    @property
    def fade_alpha(self):
        return self.body.fade_alpha

    @fade_alpha.setter
    def fade_alpha(self, value):
        self.body.fade_alpha = value

    def grow_point(self, x):
        """What the next new layer takes as input: the body's innermost activations."""
        return self.body.encode(x)

    def innermost_pair(self):
        return self.body.innermost_pair() + (self.mu, self.ln_var, self.from_z)

    def add_layer(self, width, init="random", sample=None, rng=None):
        encoder, decoder = self.body.add_layer(width, init=init, sample=sample, rng=rng)
        w_enc, b_enc, w_dec, b_dec = (a.array for a in (encoder.W, encoder.b, decoder.W, decoder.b))
        heads = {}
        for name in ("mu", "ln_var"):  # head(h_old) with h_old ~ W_dec h_new + b_dec
            head = getattr(self, name)
            heads[name] = dense(width, self.code_dim, initialW=head.W.array @ w_dec,
                                initial_bias=head.W.array @ b_dec + head.b.array)
        heads["from_z"] = dense(self.code_dim, width, initialW=w_enc @ self.from_z.W.array,
                                initial_bias=w_enc @ self.from_z.b.array + b_enc)
        for name, link in heads.items():
            delattr(self, name)
            link.to_device(self.device)
            with self.init_scope():
                setattr(self, name, link)
        self.inner = (width,)
        return (encoder, decoder) + tuple(heads.values())

    def _stats(self, x):
        h = self.body.encode(x).reshape(len(x), -1)
        return self.mu(h), self.ln_var(h)

    def encode(self, x):
        return self._stats(x)[0]

    def decode_raw(self, z):
        h = relu(self.from_z(z)).reshape((len(z),) + tuple(self.inner))
        return self.body.decode_raw(h)

    def _noise(self, shape, like):
        eps = self.rng.standard_normal(shape, dtype=np.float32)
        return chainer.backend.get_array_module(like).asarray(eps)

    def _sample(self, mu, ln_var):
        return mu + F.exp(0.5 * ln_var) * self._noise(mu.shape, mu.array)

    def forward(self, x):
        n = len(x)
        mu, ln_var = self._stats(x)
        raw = self.decode_raw(self._sample(mu, ln_var))
        reconstruction = F.bernoulli_nll(x, raw) / n
        kl = F.gaussian_kl_divergence(mu, ln_var) / n
        loss = reconstruction + self.beta * self.kl_scale * kl
        chainer.report({"loss": loss, "reconstruction": reconstruction, "kl": kl,
                        "elbo": reconstruction + kl, "bce": bce(raw, x)}, self)
        if not chainer.config.train:
            mean_raw = self.decode_raw(mu)
            if self.kept is not None:  # the snapshot's rows: the code is the mean
                self.kept.take(mu, mean_raw)
            elbo_mean = F.bernoulli_nll(x, mean_raw) / n + kl
            # bce, mse, sqerr of the mean reconstruction, as other models score theirs
            # (replacing the sampled bce above, so compare tables stay comparable)
            chainer.report({"elbo_mean": elbo_mean, **self.head.scores(mean_raw, x)}, self)
            if self.iw_samples:
                chainer.report({"iw_nll": self.iw_nll(x, mu, ln_var)}, self)
        return loss

    def iw_nll(self, x, mu, ln_var):
        """-log p(x) by importance sampling with K draws of q(z|x), averaged over the batch:
        log p(x) ~ logsumexp_k [log p(x|z_k) + log p(z_k) - log q(z_k|x)] - log K."""
        xp = chainer.backend.get_array_module(mu.array)
        flat = x.reshape(len(x), -1)
        terms = []
        for _ in range(self.iw_samples):
            eps = self._noise(mu.shape, mu.array)
            z = mu.array + xp.exp(0.5 * ln_var.array) * eps
            logits = self.decode_raw(z).array.reshape(len(x), -1)
            log_px_z = -(xp.logaddexp(0, logits) - flat * logits).sum(axis=1)  # Bernoulli
            log_pz = -0.5 * (z * z + np.log(2 * np.pi)).sum(axis=1)
            log_qz = -0.5 * (eps * eps + ln_var.array + np.log(2 * np.pi)).sum(axis=1)
            terms.append(log_px_z + log_pz - log_qz)
        stacked = xp.stack(terms)  # (K, N)
        top = stacked.max(axis=0)
        log_px = top + xp.log(xp.exp(stacked - top).mean(axis=0))
        return -log_px.mean()

    def _layers(self):
        """The mean path: the body's encoder, mu (the code), z back into the body's decoder."""
        body = self.body._layers()
        split = next(i for i, layer in enumerate(body) if layer.get("code"))
        encoder, decoder = body[:split + 1], body[split + 1:]
        encoder[-1] = {k: v for k, v in encoder[-1].items() if k != "code"}
        flat, inner = [int(np.prod(self.inner))], list(self.inner)
        code = [self.code_dim]
        middle = [describe("dense", flat, code, None, self.mu, code=True),
                  describe("dense", code, flat, "relu", self.from_z)]
        if len(inner) > 1:  # conv: the map is flattened for the heads and back
            middle = [reshape(inner, flat)] + middle + [reshape(flat, inner)]
        return encoder + middle + decoder
