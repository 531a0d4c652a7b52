"""Where one file's parse runs: in this process, a local process pool, or Dask workers.

``work`` is the unit of work every backend runs (one file's bytes → its cache
entry, within the per-file time limit); ``pool`` keeps the local worker
processes; ``cluster`` sends batches to a Dask scheduler.

May import: the rest of :mod:`runaudit.reading` and the base modules.
"""
