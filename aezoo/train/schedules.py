"""Schedules that change a value while training, each a pure function of the iteration,
so that a resumed run needs no state for them (nanoGPT's get_lr).

    --kl-warmup N   a VAE's KL weight rises linearly from 0 to beta over N epochs
"""


def warmup(epoch, batch, n_batches, epochs):
    """1/(epochs * n_batches), 2/..., up to 1 at the last batch of epoch `epochs` (epoch 1 first)."""
    if not epochs:
        return 1.0
    return min(1.0, ((epoch - 1) * n_batches + batch + 1) / (epochs * n_batches))


def attach(trainer, cfg):
    """Callbacks for the schedules `cfg` asks for."""
    if cfg.kl_warmup:
        def kl(t):
            t.model.kl_scale = warmup(t.epoch, t.batch, t.n_batches(), cfg.kl_warmup)
        trainer.add_callback("batch_start", kl)
