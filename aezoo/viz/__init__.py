"""Pictures of training: per-epoch snapshots, loss curves, video frames and files.

    snapshot.py   recon/epoch_NNNN.npz (arrays) and .png (a numpy tile) every epoch
    curves.py     loss curves: loss.png and the curve panel of frames
    frame.py      the one frame composer (panels chosen by the data's kind)
    columns.py    the comparison frame: a column a run and one shared curve panel
    latent.py     the latent view: kept codes, the fixed projection, its panel
    architecture.py  the strip that draws the network from its layers()
    runfolder.py  a run folder read back for pictures
    video.py      frames to GIF and MP4

May import aezoo.errors and aezoo.runs (the run folder's files); never a
model, the training loop or a command. Snapshots receive the trainer and use
only the model contract (encode_decode, head).
"""
