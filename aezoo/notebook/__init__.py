"""aezoo from Python and Jupyter: fit a model, look at its run, compare runs, run a sweep.

    run = aezoo.fit("deep", data="digits", grow_every=4, epochs=40)   # fitting.py
    run                                # a cell ending in it shows the run (display.py)
    aezoo.Comparison(run, aezoo.open_run("outputs/simple-..."))       # compare.py
    aezoo.Sweep("experiments/quick.toml").run(workers=2)              # sweep.py

The same plan and start as `aezoo run` (train/plan.py, train/start.py), the same
option checks (config.py), the same run folders, comparisons and sweeps.
May import: errors, config, runs, data, models, train, results, viz, sweeps and api; never
a command: a sweep runs through the sweeps library, as `aezoo sweep` does.
"""
