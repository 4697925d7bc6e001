"""Seeing a search: its history, its parameters' importances, its parallel coordinates.

    draw(study, out)   # OUT/search-history.png, search-importances.png, search-parallel.png
    of_trials(run_dirs, out)  # the same, for aezoo compare of a search's trials

Optuna's own matplotlib plots (optuna.visualization.matplotlib), drawn from the whole
study (every machine's trials) when the sweep ends; report.html shows them above the
score table (results/report.py: SEARCH_PICTURES), with the intermediate values each
trial reported, so the pruned ones show where they stopped. Optuna's plots leave pruned
trials out, and successive halving prunes most of a search: here a pruned trial counts
with the score it was stopped at (an in-memory copy of the study holds it as complete),
so the history, the importances (fANOVA, Optuna's default) and the parallel coordinates
show every trial that trained.
"""
import os
import warnings

from aezoo.results import compared
from aezoo.results.report import SEARCH_PICTURES
from aezoo.runs.atomic import atomic
from aezoo.sweeps import study as studies

PLOTS = {"search-history.png": "plot_optimization_history",
         "search-importances.png": "plot_param_importances",
         "search-parallel.png": "plot_parallel_coordinate",
         "search-epochs.png": "plot_intermediate_values"}
LEGEND_MAX = 12  # trials: beyond this the epochs plot's legend would run off the picture
SIZES = {"search-parallel.png": (11, 5)}  # inches: one axis a searched option, and the colour bar
assert set(PLOTS) == {name for name, _ in SEARCH_PICTURES} <= set(compared.WRITTEN)


def draw(study, out, say=lambda line: None):
    """The pictures of `study` that it has enough trials for, written into `out`; their paths."""
    op = studies.optuna()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from optuna.visualization import matplotlib as plots
    scored = with_pruned(op, study)
    done = scored.get_trials(deepcopy=False)
    written = []
    for name, plot in PLOTS.items():
        path = os.path.join(out, name)
        if len(done) < 2 and name != "search-epochs.png":
            continue
        # Optuna labels a log axis with mathtext ($10^{-3}$): parsed here whatever aezoo's own
        # pictures set (viz/style.py), and the warnings ("experimental", a tight layout that
        # did not fit) are Optuna's and matplotlib's, not the user's.
        with warnings.catch_warnings(), matplotlib.rc_context({"text.parse_math": True}):
            warnings.simplefilter("ignore")
            try:
                axes = getattr(plots, plot)(study if name == "search-epochs.png" else scored)
            except (ValueError, RuntimeError) as e:  # e.g. every value the same: no importance
                say(f"{name} not drawn: {e}")
                continue
            figure = axes.figure if hasattr(axes, "figure") else axes.flat[0].figure
            if name == "search-epochs.png":
                axes.set_xlabel("epoch")
                if axes.get_legend() and len(study.trials) > LEGEND_MAX:  # a line a trial
                    axes.get_legend().remove()
            figure.set_size_inches(*SIZES.get(name, (8, 4.5)))
            figure.tight_layout()
            with atomic(path, "wb", sync=False) as f:
                figure.savefig(f, dpi=100, format="png")
        plt.close(figure)
        written.append(path)
    return written


def of_trials(run_dirs, out, say=lambda line: None):
    """The pictures of the search whose trials `run_dirs` are, into `out` (aezoo compare's
    folder, for its report); nothing when they are not a search's trials."""
    found = studies.of_runs(run_dirs)
    if found is None:
        return []
    study, trials = found
    say(f"{len(trials)} of the runs are trials of study {study.study_name!r}: its pictures "
        f"show its {len(study.get_trials(deepcopy=False))} trials")
    return draw(study, out, say)


def with_pruned(op, study):
    """An in-memory study of the trials that trained: the complete ones, and the pruned ones
    as complete with the last score they reported."""
    State = op.trial.TrialState
    copy = op.create_study(direction="minimize")
    for t in study.get_trials(deepcopy=False, states=(State.COMPLETE, State.PRUNED)):
        value = t.value if t.state == State.COMPLETE else \
            t.intermediate_values.get(t.last_step) if t.last_step is not None else None
        if value is not None:
            copy.add_trial(op.trial.create_trial(
                params=t.params, distributions=t.distributions, value=value,
                intermediate_values=t.intermediate_values, user_attrs=t.user_attrs))
    return copy
