"""Regenerates the import round-trip fixtures (run in this folder with Debian's python3-torch:
/usr/bin/python3 make-fixture.py).

A Varshift `convnet`, `preresnet`, `resnet` (depth 18) and `mobilenet`, each of width 4 and 2 blocks (stages),
on [3, 16, 16] images in 4 classes,
with seeded random weights and BN running statistics moved off their initial values by train-mode passes
over random batches, exported by the documented exporter with 8 check images and PyTorch's eval-mode
outputs on them: convnet-w4.npz, preresnet-w4.npz, resnet18-w4.npz, mobilenet-w4.npz, and
convnet-w4-normalized.npz, whose model takes inputs normalised per channel.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../../../main/python"))
import varshift_export as vx  # noqa: E402

# One seed per fixture, set before the model is built, so that adding a fixture changes no other one.
models = {"convnet-w4.npz": lambda: vx.ConvNet(channels=3, width=4, blocks=2, classes=4, height=16, width_px=16),
          "preresnet-w4.npz": lambda: vx.PreResNet(channels=3, width=4, blocks=2, classes=4),
          "resnet18-w4.npz": lambda: vx.ResNet(channels=3, width=4, blocks=2, classes=4, depth=18),
          "mobilenet-w4.npz": lambda: vx.MobileNet(channels=3, width=4, blocks=2, classes=4),
          "convnet-w4-normalized.npz": lambda: vx.ConvNet(channels=3, width=4, blocks=2, classes=4, height=16,
                                                          width_px=16)}
# The last one was trained on inputs normalised per channel; the import applies the same in its first layer.
NORMALIZED = {"convnet-w4-normalized.npz": ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])}
for seed, (file, build) in enumerate(models.items()):
    torch.manual_seed(7 + seed)
    model = build()
    model.train()
    with torch.no_grad():
        for _ in range(20):
            model(torch.rand(16, 3, 16, 16) * 0.8 + 0.1)
    mean, std = NORMALIZED.get(file, (None, None))
    vx.export(model, file, torch.rand(8, 3, 16, 16), mean, std)
    print(file)
    for entry, key in vx.name_map(model):
        print("  ", entry, "<-", key)
