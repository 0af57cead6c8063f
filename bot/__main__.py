import os

# One BLAS thread: the sentence encoder multiplies small matrices per question, where a second
# thread only adds contention (measured: 18 ms single-threaded, up to 1 s with two under load).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from bot.cli import main  # after the environment is set for numpy

raise SystemExit(main())
