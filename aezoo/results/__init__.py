"""What comes out of finished run folders: their videos, comparisons and the report page.

    run_videos.py  progress.gif/mp4 (and latent.gif/mp4) of one run
    long_steps.py  what a long step shows while it works (a bar, or a few lines)
    comparison.py  scores.csv/md against a PCA baseline, compare.png, compare.gif/mp4
    compared.py    compared.json: the runs a comparison shows (compare writes, report reads)
    report.py      report.html: a comparison or sweep in one self-contained page

Reads run folders through aezoo.runs and draws through aezoo.viz; the PCA
baseline is fitted on the data set (aezoo.data, models/pca.py); a run's videos are told to
its loggers (run_videos.after_training: what follows training, wherever a run was started).
Never trains: may import errors, runs, viz, data, loggers and models/pca.py, never train
or a command.
"""
