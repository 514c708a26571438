"""The Python baseline of `./varshift bench race`: the agent's job done the way a user would script it.

A librdkafka consumer reads NPY records, numpy decodes each, PyTorch runs the same ConvNet shape in eval
mode with forward pre-hooks on every BatchNorm2d folding per-channel sums and sums of squares, and a
window closes every --window samples (per-channel mean and variance). Prints one JSON line:
{"records": N, "seconds": S, "rate": N / S, "windows": W}, timed from the first record consumed.

Needs Debian's python3-torch, python3-numpy and python3-confluent-kafka (the launcher installs them
for this bench only).
"""
import argparse
import io
import json
import os
import sys
import time

import numpy as np
import torch
from confluent_kafka import Consumer
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../trainer/src/main/python"))
import varshift_export as vx  # noqa: E402


class Window:
    """Per-layer running sums over the current window; closes into means and variances."""

    def __init__(self, size):
        self.size = size
        self.samples = 0
        self.sums = {}
        self.closed = 0

    def hook(self, name):
        def fold(module, inputs):
            x = inputs[0]
            s1 = x.sum(dim=(0, 2, 3), dtype=torch.float64)
            s2 = (x * x).sum(dim=(0, 2, 3), dtype=torch.float64)
            n = x.shape[0] * x.shape[2] * x.shape[3]
            old = self.sums.get(name)
            self.sums[name] = (s1, s2, n) if old is None else (old[0] + s1, old[1] + s2, old[2] + n)
        return fold

    def forwarded(self, samples):
        self.samples += samples
        if self.samples >= self.size:
            for s1, s2, n in self.sums.values():
                mean = s1 / n
                _ = s2 / n - mean * mean
            self.sums = {}
            self.samples = 0
            self.closed += 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--group", required=True)
    p.add_argument("--records", type=int, required=True)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--window", type=int, default=1000)
    p.add_argument("--width", type=int, default=16)
    a = p.parse_args()

    torch.manual_seed(3)
    model = vx.ConvNet(channels=1, width=a.width, blocks=2, classes=10, height=28, width_px=28).eval()
    window = Window(a.window)
    for name, module in model.named_modules():
        if isinstance(module, nn.BatchNorm2d):
            module.register_forward_pre_hook(window.hook(name))

    consumer = Consumer({"bootstrap.servers": a.bootstrap, "group.id": a.group, "auto.offset.reset": "earliest",
                         "enable.auto.commit": False})
    consumer.subscribe([a.topic])
    read = 0
    start = None
    deadline = time.time() + 600
    with torch.no_grad():
        while read < a.records and time.time() < deadline:
            messages = consumer.consume(num_messages=a.batch, timeout=1.0)
            images = []
            for m in messages:
                if m.error() is None:
                    # A record is one sample [1, 28, 28] or a batch [B, 1, 28, 28].
                    images.append(np.load(io.BytesIO(m.value())).reshape(-1, 1, 28, 28))
            if not images:
                continue
            if start is None:
                start = time.perf_counter()
            x = torch.from_numpy(np.concatenate(images).astype(np.float32, copy=False))
            logits = model(x)
            _ = logits.argmax(dim=1)
            window.forwarded(x.shape[0])
            read += x.shape[0]
    seconds = time.perf_counter() - start if start is not None else float("nan")
    consumer.close()
    print(json.dumps({"records": read, "seconds": seconds, "rate": read / seconds, "windows": window.closed}))


if __name__ == "__main__":
    main()
