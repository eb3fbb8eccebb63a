"""Baseline of bench/scenarios/hot-path.ts: scipy's streaming sosfilt over the same 15-sample frames.

usage: python3 sosfilt.py BASE RUNS   (BASE.meta: per message sensor index, count as uint8; BASE.f64: the samples)
Prints one JSON line: {"rates": [channel-samples/s per repetition]} after one untimed warm-up pass.
The filter is the same 4th-order Butterworth low-pass (20 Hz at 200 Hz) as the JS baseline, state (zi) per sensor.
"""
import json
import sys
import time

import numpy as np
from scipy.signal import butter, sosfilt

base, runs = sys.argv[1], int(sys.argv[2])
meta = np.fromfile(base + ".meta", dtype=np.uint8).reshape(-1, 2)
data = np.fromfile(base + ".f64", dtype=np.float64)
blocks = []
offset = 0
for sensor, count in meta:
    n = int(count) * 6
    blocks.append((int(sensor), data[offset:offset + n].reshape(-1, 6)))
    offset += n
sos = butter(4, 20, fs=200, output="sos")
total = data.size
rates = []
for rep in range(runs + 1):
    zi = [np.zeros((sos.shape[0], 2, 6)) for _ in range(3)]
    sink = 0.0
    started = time.perf_counter()
    for sensor, block in blocks:
        y, zi[sensor] = sosfilt(sos, block, axis=0, zi=zi[sensor])
        sink += y[0, 0]
    elapsed = time.perf_counter() - started
    if rep > 0:
        rates.append(total / elapsed)
print(json.dumps({"rates": rates, "sink": sink}))
