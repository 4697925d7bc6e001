"""Sweeps: the runs of a TOML file, planned together, trained at once, compared at the end.

    runner.py     a sweep from a value: plan_sweep (every run planned, nothing written),
                  settings (workers, threads, Ray, ASHA, checked), run_sweep (train, compare)
    file.py       the sweep file: [defaults], [runs.NAME], and [grid] expanded into runs
    space.py      its [search] table: ranges and choices in Optuna's suggest_* terms
    search.py     a search: the study's trials asked, trained as runs and told (ask-and-tell)
    study.py      the Optuna study: its storage (OUT/study.journal or --storage), sampler, pruner
    pruning.py    --early-stop: the runs' epochs reported to Optuna's pruners
    pictures.py   a search's history, importances and parallel coordinates (Optuna's plots)
    steps.py      each run's plan and what to do with its folder (start, resume, skip)
    worker.py     what a worker process (or Ray task) does with one run: threads, retry, stop
    local.py      N warm worker processes on this machine, fed run after run; lost ones retried
    ray_tasks.py  the same on a Ray cluster, each run a task
    status.py     one line a run: waiting, epoch k of n, done, failed, stopped early

Its callers (aezoo/commands/sweep.py, which parses the command line and prints, and
aezoo.Sweep) hand it a file's path or the tables as a dict; it plans every run before
any trains, runs them here and compares them (aezoo.results). May import errors, config,
runs, data, models (the registry), train and results; never a command.
"""
