"""progress.gif and progress.mp4 of a run: reconstructions and loss curves, epoch by epoch.

    aezoo render outputs/main
    aezoo render outputs/main --fps 8 --format gif
    aezoo render outputs/main --latent          # latent.gif / latent.mp4 instead
    aezoo render outputs/main --dpi 150         # frames 1.5 times as large

The frames and videos are made by results/run_videos.py; this is its command line.
"""
import sys

from aezoo.commands import COMMANDS
from aezoo.commands.parser import Parser, guarded
from aezoo.results.run_videos import render
from aezoo.train.plan import check_saved_model
from aezoo.viz import frame, video


def parser():
    p = Parser(prog="aezoo render", description=COMMANDS["render"])
    p.add_argument("run_dir", help="a run folder written by aezoo run")
    p.add_argument("--fps", type=float, help="frames per second (default: the run's --fps)")
    p.add_argument("--format", default="gif,mp4", help="gif, mp4 or gif,mp4 (default)")
    p.add_argument("--dpi", type=float, default=frame.DPI,
                   help=f"frame resolution: {frame.DPI} (default) gives 1280x576 progress frames")
    p.add_argument("--latent", action="store_true",
                   help="write latent.gif / latent.mp4, the latent view alone")
    return p


def main(argv=None):
    return guarded("aezoo render", _main, argv)


def _main(argv):
    args = parser().parse_args(argv)
    check_saved_model(args.run_dir)
    view = "latent" if args.latent else "progress"
    for path in render(args.run_dir, args.fps, video.parse_formats(args.format), args.dpi, view):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
