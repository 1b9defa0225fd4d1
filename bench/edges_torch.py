# edges_torch.py: the PyTorch reference of bench/bench_edges.lua: the same pipeline as
# lluvia/imgproc/EdgeDetect (BT.601 gray truncated, Gaussian sigma 1.4 radius 5 separable with
# clamped borders, 3x3 Sobel magnitude, threshold 100) on a width x height RGBA uint8 image
# already on the device, timed with CUDA events (the host clock on a CPU). Prints
# "eager_ms <ms>" and, where torch.compile works, "compiled_ms <ms>".
import argparse
import math
import time

import torch
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--width", type=int, default=3840)
parser.add_argument("--height", type=int, default=2160)
parser.add_argument("--runs", type=int, default=20)
args = parser.parse_args()

device = "cuda" if torch.cuda.is_available() else "cpu"
rgba = torch.randint(0, 256, (args.height, args.width, 4), dtype=torch.uint8, device=device)

sigma, radius = 1.4, math.ceil(3 * 1.4)
taps = torch.exp(-torch.arange(-radius, radius + 1, dtype=torch.float32) ** 2 / (2 * sigma * sigma))
taps = (taps / taps.sum()).to(device)
kx = taps.view(1, 1, 1, -1)
ky = taps.view(1, 1, -1, 1)
sobel = torch.tensor([[[[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]]], device=device)
sobel = torch.cat([sobel, sobel.transpose(2, 3)])


def edges(rgba):
    rgb = rgba[..., :3].to(torch.int32)
    gray = (rgb[..., 0] * 299 + rgb[..., 1] * 587 + rgb[..., 2] * 114) // 1000
    g = gray.to(torch.float32)[None, None]
    g = F.conv2d(F.pad(g, (radius, radius, 0, 0), mode="replicate"), kx)
    g = F.conv2d(F.pad(g, (0, 0, radius, radius), mode="replicate"), ky)
    grad = F.conv2d(F.pad(g, (1, 1, 1, 1), mode="replicate"), sobel)
    magnitude = torch.sqrt(grad[:, 0] ** 2 + grad[:, 1] ** 2)
    return (magnitude >= 100).to(torch.uint8) * 255


def best_ms(f):
    f(rgba)
    best = math.inf
    for _ in range(args.runs):
        if device == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            f(rgba)
            end.record()
            torch.cuda.synchronize()
            best = min(best, start.elapsed_time(end))
        else:
            t0 = time.perf_counter()
            f(rgba)
            best = min(best, (time.perf_counter() - t0) * 1e3)
    return best


print(f"PyTorch {torch.__version__} on {device}")
print(f"eager_ms {best_ms(edges):.4f}")
try:
    compiled = torch.compile(edges)
    print(f"compiled_ms {best_ms(compiled):.4f}")
except Exception as e:  # torch.compile needs a working compiler toolchain
    print(f"torch.compile failed: {type(e).__name__}")
