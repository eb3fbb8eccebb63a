"""Baseline of bench/scenarios/analyze-cli.ts: what a researcher's script spends on the same recording.

usage: python3 loadtxt.py FILE.csv RUNS
Each repetition: numpy.loadtxt of the CSV's seven numeric columns, then one scipy sosfiltfilt
(4th-order Butterworth low-pass, 20 Hz at 200 Hz) over the six sample channels.
Prints one JSON line: {"seconds": [...], "version": "..."}.
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy.signal import butter, sosfiltfilt

path, runs = sys.argv[1], int(sys.argv[2])
sos = butter(4, 20, fs=200, output="sos")
seconds = []
for _ in range(runs):
    started = time.perf_counter()
    data = np.loadtxt(path, delimiter=",", skiprows=1, usecols=(0, 2, 3, 4, 5, 6, 7))
    filtered = sosfiltfilt(sos, data[:, 1:], axis=0)
    seconds.append(time.perf_counter() - started)
    assert filtered.shape[0] == data.shape[0]
print(json.dumps({"seconds": seconds, "version": f"numpy {np.__version__}, scipy {scipy.__version__}, python {sys.version.split()[0]} ({sys.executable})"}))
