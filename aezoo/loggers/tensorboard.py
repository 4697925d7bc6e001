"""TensorBoard event files of a run, written while it trains:

    aezoo run deep --data digits --grow-every 2 --epochs 4 --tensorboard
    tensorboard --logdir outputs

    RUN_DIR/tensorboard/events.out.tfevents.*    scalars, images, text and the run's HParams
    RUN_DIR/tensorboard/projector_config.pbtxt   the Embedding Projector's list of embeddings
    RUN_DIR/tensorboard/NNNNN/code_D/            tensors.tsv, metadata.tsv, sprite.png

Everything comes from what the logger is told (loggers/contract.py): the epoch's scores, the
snapshot's arrays (train/capture.py), growth's records and the model's layers. It never
sees the model and draws no random number, so the run is otherwise the same.
Written with tensorboardX (the extra aezoo[tensorboard]), which needs no TensorFlow: its
summaries, checksum and projector layout. The records are written here, in place (its
SummaryWriter queues events for a thread and its flush() does not wait for them), so an
epoch's events are in the file when its end returns. The tests read the files back with
TensorBoard's own EventAccumulator.
"""
import os
import socket
import struct
import time

import numpy as np

from aezoo.errors import UsageError
from aezoo.loggers.contract import FINISHED, STOPPED, Logger, Option

FOLDER = "tensorboard"
INSTALL = "pip install 'aezoo[tensorboard]'"
# Options that say where and how a run is shown, not what it is: no HParams column for them
NOT_HPARAMS = ("out", "name", "quiet", "video", "fps", "show", "device", "threads", "distributed",
               "tensorboard", "mlflow", "data_dir")


# What an epoch records besides scores, and its tag
OTHER = {"lr": "optimizer/lr", "params": "model/params", "depth": "model/depth",
         "seconds": "time/seconds_per_epoch"}


def scalars(metrics):
    """(tag, value) of an epoch's record: loss/train, loss/test, bce/test, kl/train... grouped
    by score, so TensorBoard draws a score's train and test side by side; then OTHER."""
    for key, value in metrics.items():
        if key == "epoch" or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if key in OTHER:
            yield OTHER[key], value
        elif key.startswith(("test_", "train_")):
            split, _, score = key.partition("_")
            yield f"{score}/{split}", value


def pictures(arrays):
    """{tag: grey picture in [0, 1]} of a snapshot's arrays: inputs above reconstructions (a
    sequence model's panel for sequences), a generative model's prior samples, and the
    decoded grid over a 2-D code."""
    from aezoo.viz import tiles
    shown = {k: arrays[k] for k in ("kind", "view", "value_range") if k in arrays}
    found = {"reconstructions": tiles.grid(
        {**shown, **{k: arrays[k] for k in ("inputs", "targets", "outputs") if k in arrays}})}
    if "samples" in arrays:
        found["prior_samples"] = tiles.grid({**shown, "samples": arrays["samples"]})
    if "manifold" in arrays:
        images = tiles.as_images(arrays["manifold"], str(arrays["kind"]))
        side = int(round(np.sqrt(len(images))))
        found["code_space"] = tiles.tile([images[i * side:(i + 1) * side] for i in range(side)],
                                            tuple(arrays["value_range"]))
    return found


def sprite_images(dataset, index):
    """(N, C, H, W) thumbnails in [0, 1] of the test samples `index` (C: 1 grey, 3 colour);
    None for sequences and pictures that are not square (the projector's sprite takes
    square ones only)."""
    from aezoo.viz import tiles
    if dataset.kind not in ("image", "vector"):
        return None
    images = tiles.as_images(dataset.test[index], dataset.kind).astype(np.float32)
    if images.ndim not in (3, 4) or images.shape[1] != images.shape[2]:
        return None
    low, high = dataset.value_range
    if low >= 0 and high <= 1:
        low, high = 0.0, 1.0
    images = np.clip((images - low) / ((high - low) or 1.0), 0, 1)
    return images[:, None] if images.ndim == 3 else images.transpose(0, 3, 1, 2)


def sprite(thumbnails):
    """(N, C, H, W) thumbnails as the projector's sprite: a square of ceil(sqrt(N)) a side, row
    by row, the unused cells black; (side H, side W) grey, or with 3 channels last."""
    n, c, h, w = thumbnails.shape
    side = int(np.ceil(np.sqrt(n)))
    cells = np.zeros((side * side, c, h, w), thumbnails.dtype)
    cells[:n] = thumbnails
    picture = cells.reshape(side, side, c, h, w).transpose(0, 3, 1, 4, 2).reshape(
        side * h, side * w, c)
    return picture[:, :, 0] if c == 1 else picture


def to_bytes(picture):
    return (np.clip(picture, 0, 1) * 255).round().astype(np.uint8)


def markdown_table(rows):
    """A list of dicts as a Markdown table (TensorBoard's text tab renders Markdown)."""
    keys = list(dict.fromkeys(k for row in rows for k in row))
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(shown(row.get(k, "")) for k in keys) + " |" for row in rows]
    return "\n".join(lines)


def growth_text(records):
    """An epoch's growth records (growth, growth_batches, faded_in) as one two-column table:
    the widths, parameters, dead units and the jumps, one a line."""
    merged = {"event": ", ".join(r["event"] for r in records)}
    for record in records:
        merged.update((k, v) for k, v in record.items() if k != "event")
    return "| | |\n|---|---|\n" + "\n".join(f"| {k} | {shown(v)} |" for k, v in merged.items())


def shown(value):
    if isinstance(value, float):
        return f"{value:.5g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(shown, value))
    return str(value)


def hparams(cfg):
    """The run's options as HParams: every one that says what the run is, lists as text."""
    found = {}
    for key, value in cfg.to_dict().items():
        if key in NOT_HPARAMS or value is None:
            continue
        found[key] = ",".join(map(str, value)) if isinstance(value, list) else value
    return found


def new_file(folder):
    """A new event file, never one that exists: names sort by the second they were made, and
    a resume within the same second (same process) takes the next number."""
    stem = f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}"
    for n in range(1000):
        try:
            return open(os.path.join(folder, f"{stem}.{n:03d}"), "xb")
        except FileExistsError:
            continue
    raise UsageError(f"{folder} holds 1,000 event files made in the same second")


class Events:
    """An event file, each record written as it comes and flushed at every epoch's end:
    TensorBoard's record format (length, checksums) with tensorboardX's checksum, without its
    writer's thread. Flushed, not synced: the events are a view of the run, its checkpoint
    and metrics.jsonl the record. `start`: the epoch a resumed run continues from;
    TensorBoard then drops the events of later epochs an interrupted process wrote."""

    def __init__(self, folder, start=None):
        from tensorboardX.proto.event_pb2 import Event, SessionLog
        os.makedirs(folder, exist_ok=True)
        self.folder, self.Event = folder, Event
        self.file = new_file(folder)
        self.write(Event(wall_time=time.time(), file_version="brain.Event:2"))
        if start:
            self.write(Event(wall_time=time.time(), step=start,
                             session_log=SessionLog(status=SessionLog.START)))

    def write(self, event):
        from tensorboardX.record_writer import masked_crc32c
        data = event.SerializeToString()
        header = struct.pack("<Q", len(data))
        self.file.write(header + struct.pack("<I", masked_crc32c(header)) + data
                        + struct.pack("<I", masked_crc32c(data)))

    def add(self, summary, step):
        self.write(self.Event(wall_time=time.time(), step=int(step), summary=summary))

    def image(self, tag, picture, step):
        """A grey or colour picture in [0, 1] as an image summary, encoded as the snapshot PNGs are (zlib
        level 1: a fifth of tensorboardX's default encoding time, for a few more bytes)."""
        import imageio.v3 as iio
        from tensorboardX.proto.summary_pb2 import Summary
        png = iio.imwrite("<bytes>", to_bytes(picture), extension=".png", compress_level=1)
        image = Summary.Image(height=picture.shape[0], width=picture.shape[1], colorspace=1 if picture.ndim == 2 else 3,
                              encoded_image_string=png)
        self.add(Summary(value=[Summary.Value(tag=tag, image=image)]), step)

    def embedding(self, codes, metadata, header, thumbnails, step, tag):
        """The projector's files in NNNNN/TAG/ and their entry in projector_config.pbtxt
        (tensorboardX's layout, which TensorBoard's projector reads). The codes and the sprite
        are written here with numpy: tensorboardX's writers take 5 times as long."""
        import imageio.v3 as iio
        from tensorboardX import embedding
        subdir = f"{step:05d}/{tag}"
        path = os.path.join(self.folder, subdir)
        os.makedirs(path, exist_ok=True)
        embedding.make_tsv(metadata, path, metadata_header=header)
        if thumbnails is not None:
            iio.imwrite(os.path.join(path, "sprite.png"), to_bytes(sprite(thumbnails)),
                        extension=".png", compress_level=1)
        np.savetxt(os.path.join(path, "tensors.tsv"), codes, fmt="%.7g", delimiter="\t")
        embedding.append_pbtxt(metadata, thumbnails, self.folder, subdir, step, tag)

    def flush(self):
        self.file.flush()  # TensorBoard, reading the file meanwhile, sees the epoch

    def close(self):
        self.file.close()


class TensorBoard(Logger):
    """The run's event files, flushed at every epoch's end (see the module docstring)."""
    options = {"tensorboard": Option(False, bool, "write TensorBoard event files into "
                                     "RUN_DIR/tensorboard, every epoch (needs the extra "
                                     "aezoo[tensorboard])", None)}
    on_resume = ("a new event file from the checkpoint's epoch on (TensorBoard drops the later "
                 "epochs an interrupted run wrote); the HParams session and layers are not "
                 "written again")
    cost = "tensorboard"

    @classmethod
    def wanted(cls, cfg):
        return cfg.tensorboard

    @classmethod
    def check(cls, cfg):
        try:
            import tensorboardX  # noqa: F401
        except ImportError:
            raise UsageError(f"--tensorboard needs the extra aezoo[tensorboard] (tensorboardX): "
                             f"{INSTALL}")

    def start(self, run):
        from aezoo.runs import recon
        from tensorboardX import summary
        self.folder = os.path.join(run.run_dir, FOLDER)
        self.recon = os.path.join(run.run_dir, recon.FOLDER)
        earlier = os.path.isdir(self.folder) and any(
            name.startswith("events.out.tfevents.") for name in os.listdir(self.folder))
        self.writer = Events(self.folder, run.epoch + 1 if run.resumed else None)
        self.cfg, self.dataset, self.events, self.arrays = run.cfg, run.dataset, [], None
        if not earlier:  # a resumed run's session and layers are in its first file already
            self.writer.add(summary.hparams(hparams(self.cfg), {})[1], run.epoch)
            self.layers(run.epoch, run.layers)

    def growth(self, record):
        """Written at the epoch's end; at a growth, the code size that ends gets its
        embedding now."""
        self.events.append(record)
        if record["event"] == "growth":
            arrays = self.latest(record["epoch"] - 1)
            if arrays is not None:
                self.embed(arrays)

    def latest(self, epoch):
        """The snapshot's arrays of `epoch`: the last ones told, else from recon/ (a resume)."""
        from aezoo.runs import recon
        if self.arrays is not None and int(self.arrays["epoch"]) == epoch:
            return self.arrays
        if epoch in recon.saved_epochs(self.recon):
            return recon.read(self.recon, epoch)
        return None

    def embed(self, arrays):
        """The kept latent codes as an embedding named by the code's size, with their labels
        (metadata.tsv) and their inputs' thumbnails (the sprite)."""
        codes = np.asarray(arrays["latent_codes"], np.float32).reshape(len(arrays["latent_codes"]), -1)
        index, epoch, tag = arrays["latent_index"], int(arrays["epoch"]), f"code_{codes.shape[1]}"
        if os.path.isdir(os.path.join(self.folder, f"{epoch:05d}", tag)):
            return  # written before this run was resumed: the projector lists it already
        if "latent_labels" in arrays:
            metadata = [[shown(label), int(i)] for label, i in zip(arrays["latent_labels"], index)]
            header = ["label", "index"]
        else:
            metadata, header = [int(i) for i in index], None
        self.writer.embedding(codes, metadata, header, sprite_images(self.dataset, index),
                              epoch, tag)

    def epoch(self, epoch):
        from tensorboardX import summary
        w, number = self.writer, epoch.number
        for tag, value in scalars(epoch.metrics):
            w.add(summary.scalar(tag, value), number)
        if epoch.arrays is not None:
            self.arrays = epoch.arrays
            for tag, picture in pictures(epoch.arrays).items():
                w.image(tag, picture, number)
        if self.events:
            w.add(summary.text("growth", growth_text(self.events)), number)
            self.events = []
        if epoch.layers is not None:  # the model grew
            self.layers(number, epoch.layers)
        w.flush()

    def end(self, how):
        """The last codes' embedding and the HParams session's end, when the run is done (an
        interrupted one goes on later); the file is closed however it ends."""
        from tensorboardX import summary
        if how in (FINISHED, STOPPED) and self.arrays is not None:
            self.embed(self.arrays)
            self.writer.add(summary.hparams(hparams(self.cfg), {})[2], int(self.arrays["epoch"]))
        self.writer.close()

    def layers(self, step, layers):
        from tensorboardX import summary
        self.writer.add(summary.text("model/layers", markdown_table(layers)), step)
