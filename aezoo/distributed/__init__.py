"""One run in several processes (--distributed, docs/distributed.md).

    mpi.py  the processes of a run over MPI with ChainerMN: shares of each batch, averaged
            gradients, stopping together, and the one line when mpiexec ends the job

Train builds the cluster (train/start.py) and the loop takes its share of each batch.
May import errors, runs and, of train, only the loop's hook protocol (train/callbacks.py)
and its evaluation batch (train/loop.py).
"""
