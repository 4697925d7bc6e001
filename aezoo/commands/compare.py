"""Compare finished runs on one data set: score table, loss plot, side-by-side video.

    aezoo compare outputs/sweep-quick/simple outputs/sweep-quick/deep --out outputs/cmp

What it writes is said in results/comparison.py; this is its command line.
"""
import sys

from aezoo.commands import COMMANDS
from aezoo.commands.parser import Parser, guarded
from aezoo.results.comparison import compare, print_table
from aezoo.sweeps import pictures
from aezoo.train.plan import check_saved_model
from aezoo.viz import frame, video


def parser():
    p = Parser(prog="aezoo compare", description=COMMANDS["compare"])
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="run folders on one data set")
    p.add_argument("--out", help="folder for the comparison (default outputs/compare-<timestamp>)")
    p.add_argument("--fps", type=float, default=4.0, help="video frames per second (default 4)")
    p.add_argument("--format", default="gif,mp4", help="video formats: gif, mp4 or gif,mp4")
    p.add_argument("--dpi", type=float, default=frame.DPI,
                   help=f"resolution of compare.png and the video ({frame.DPI}: the default size)")
    return p


def main(argv=None):
    return guarded("aezoo compare", _main, argv)


def _main(argv):
    args = parser().parse_args(argv)
    for run_dir in args.run_dirs:
        check_saved_model(run_dir)
    written = compare(args.run_dirs, args.out, args.fps, video.parse_formats(args.format),
                      dpi=args.dpi, search=lambda out: pictures.of_trials(
                          args.run_dirs, out, lambda line: print(f"aezoo compare: {line}",
                                                                  file=sys.stderr)))
    print_table(written[1])
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
