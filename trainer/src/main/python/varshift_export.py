"""Export a PyTorch model of a Varshift architecture (convnet, preresnet, resnet, mobilenet) for
`./varshift trainer import` (own-model.md).

The file is an .npz archive: entry "param.NNN.KIND" holds the NNN-th parameter of the Varshift
block in its forward order (KIND: weight, bias, gamma, beta, runningMean, runningVar), float32;
"check.input" and "check.output" hold a batch and this model's eval-mode outputs, which the import
reproduces within 1e-4 before it writes an artifact; "input.mean" and "input.std", when the model was
trained on normalised inputs, are applied by the imported model's first layer. `name_map(model)` says which PyTorch tensor
became which entry; the importer refuses a wrong order by kind and shape.

    import torch, varshift_export as vx
    model = vx.ConvNet(channels=3, width=16, blocks=2, classes=4, height=32, width_px=32)
    model.load_state_dict(torch.load("my-weights.pt"))
    vx.export(model, "my-model.npz", torch.rand(8, 3, 32, 32))

The modules below are registered in the order in which Varshift's ModelBlocks builds the same
architecture (no dropout: it is the identity in eval mode), so state_dict order is block order.
"""
import numpy as np
import torch
from torch import nn

BN_KINDS = {"weight": "gamma", "bias": "beta", "running_mean": "runningMean", "running_var": "runningVar"}


class ConvNet(nn.Module):
    """Varshift's `convnet`: per block Conv3x3-BN-ReLU-Conv3x3-BN-ReLU-MaxPool2, then flatten, Linear."""

    def __init__(self, channels, width, blocks, classes, height, width_px):
        super().__init__()
        layers = []
        c_in, h, w = channels, height, width_px
        for b in range(blocks):
            c = width << b
            layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
                       nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(2, 2)]
            c_in, h, w = c, h // 2, w // 2
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(c_in * h * w, classes)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class PreResBlock(nn.Module):
    def __init__(self, c_in, c, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(c_in)
        self.conv1 = nn.Conv2d(c_in, c, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.shortcut = None if stride == 1 and c_in == c else nn.Conv2d(c_in, c, 1, stride=stride, bias=False)

    def forward(self, x):
        y = self.conv2(torch.relu(self.bn2(self.conv1(torch.relu(self.bn1(x))))))
        return y + (x if self.shortcut is None else self.shortcut(x))


class PreResNet(nn.Module):
    """Varshift's `preresnet`: stem Conv3x3, pre-activation basic blocks (stride 2 from block 2), BN-ReLU, pool, Linear."""

    def __init__(self, channels, width, blocks, classes):
        super().__init__()
        self.stem = nn.Conv2d(channels, width, 3, padding=1, bias=False)
        self.blocks = nn.Sequential(*[PreResBlock(width if b == 0 else width << (b - 1), width << b, 1 if b == 0 else 2)
                                      for b in range(blocks)])
        self.head = nn.BatchNorm2d(width << (blocks - 1))
        self.classifier = nn.Linear(width << (blocks - 1), classes)

    def forward(self, x):
        y = torch.relu(self.head(self.blocks(self.stem(x))))
        return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))


class BasicBlock(nn.Module):
    def __init__(self, c_in, c, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.shortcut = None if stride == 1 and c_in == c else nn.Sequential(
            nn.Conv2d(c_in, c, 1, stride=stride, bias=False), nn.BatchNorm2d(c))

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class ResNet(nn.Module):
    """Varshift's `resnet` (post-activation basic blocks, ResNet-18/34 stage layout, no stem pooling)."""

    LAYOUTS = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}

    def __init__(self, channels, width, blocks, classes, depth=18):
        super().__init__()
        self.stem = nn.Conv2d(channels, width, 3, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(width)
        layers, c_in = [], width
        for s, count in enumerate(self.LAYOUTS[depth][:blocks]):
            c = width << s
            for b in range(count):
                layers.append(BasicBlock(c_in, c, 2 if s > 0 and b == 0 else 1))
                c_in = c
        self.stages = nn.Sequential(*layers)
        self.classifier = nn.Linear(c_in, classes)

    def forward(self, x):
        y = self.stages(torch.relu(self.stem_bn(self.stem(x))))
        return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))


class MobileNet(nn.Module):
    """Varshift's `mobilenet`: stem, then per stage depthwise Conv3x3-BN-ReLU, pointwise Conv1x1-BN-ReLU."""

    def __init__(self, channels, width, blocks, classes):
        super().__init__()
        layers = [nn.Conv2d(channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
        c_in = width
        for s in range(blocks):
            c = width << s
            layers += [nn.Conv2d(c_in, c_in, 3, stride=1 if s == 0 else 2, padding=1, groups=c_in, bias=False),
                       nn.BatchNorm2d(c_in), nn.ReLU(), nn.Conv2d(c_in, c, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU()]
            c_in = c
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(c_in, classes)

    def forward(self, x):
        y = self.features(x)
        return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))


def name_map(model):
    """[(entry name, PyTorch state_dict key)] in Varshift's parameter order."""
    bn_modules = {name for name, m in model.named_modules() if isinstance(m, nn.BatchNorm2d)}
    out = []
    for key in model.state_dict():
        module, _, tensor = key.rpartition(".")
        if tensor == "num_batches_tracked":
            continue
        kind = BN_KINDS[tensor] if module in bn_modules else tensor
        out.append(("param.%03d.%s" % (len(out), kind), key))
    return out


def export(model, path, check_input, mean=None, std=None):
    """Writes the archive with the model's eval-mode outputs on check_input (a float tensor [B, C, H, W] in the
    traffic's range, e.g. [0, 1]). When the model was trained on inputs normalised per channel, give mean and std
    (one value per channel): they are stored as input.mean / input.std, Varshift's block applies them first, and
    the check outputs are the model's on (check_input - mean) / std."""
    if (mean is None) != (std is None):
        raise ValueError("give both mean and std (one value per input channel), or neither")
    model.eval()
    state = model.state_dict()
    arrays = {entry: state[key].detach().cpu().numpy().astype("<f4") for entry, key in name_map(model)}
    device = next(model.parameters()).device
    raw = check_input.detach().to(device=device, dtype=torch.float32)
    x = raw
    if mean is not None:
        mean_t = torch.tensor(mean, dtype=torch.float32, device=device).reshape(1, -1, 1, 1)
        std_t = torch.tensor(std, dtype=torch.float32, device=device).reshape(1, -1, 1, 1)
        x = (raw - mean_t) / std_t
        arrays["input.mean"] = np.asarray(mean, dtype="<f4")
        arrays["input.std"] = np.asarray(std, dtype="<f4")
    with torch.no_grad():
        arrays["check.input"] = raw.cpu().numpy().astype("<f4")
        arrays["check.output"] = model(x).cpu().numpy().astype("<f4")
    np.savez(path, **arrays)
