"""Reference timings for basin's benchmark: one full-batch loss + gradient step of a one-hidden-layer ReLU net.

Called by bench/python-reference.ts, one process per (engine, case, dtype) so that the peak RSS it reports belongs
to that case alone. The gradient is written in closed form (the same formulas basin uses), not by autograd, so
numpy and PyTorch run the same arithmetic. Prints one JSON object on stdout.

Data are drawn from the same distributions as basin's benchmark (X ~ N(0, 1), labels +-1, PyTorch-default uniform
initialisation) but from numpy's own generator: the shapes and the ReLU sparsity match, the bits do not.
"""

import argparse
import json
import resource
import sys
import time


def parse_arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["numpy", "torch"], required=True)
    parser.add_argument("--mode", choices=["step", "peak"], default="step")
    parser.add_argument("--count", type=int, default=0, help="N")
    parser.add_argument("--input-dim", type=int, default=0, help="d0")
    parser.add_argument("--width", type=int, default=0, help="d1")
    parser.add_argument("--restarts", type=int, default=1, help="K networks sharing X")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--min-seconds", type=float, default=0.0)
    parser.add_argument("--max-seconds", type=float, default=10.0)
    parser.add_argument("--max-repetitions", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def blas_info(np):
    """Which BLAS library and kernel actually run (threadpoolctl when present, else OpenBLAS's own query)."""
    try:
        import threadpoolctl

        return [
            {k: v for k, v in entry.items() if k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
            for entry in threadpoolctl.threadpool_info()
        ]
    except ImportError:
        pass
    import ctypes
    import glob
    import os

    libs_dir = os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs")
    for path in glob.glob(os.path.join(libs_dir, "*openblas*")):
        library = ctypes.CDLL(path)
        for prefix in ("scipy_openblas_", "openblas_"):
            for suffix in ("64_", ""):
                try:
                    corename = getattr(library, prefix + "get_corename" + suffix)
                    threads = getattr(library, prefix + "get_num_threads" + suffix)
                except AttributeError:
                    continue
                corename.restype = ctypes.c_char_p
                return [
                    {
                        "internal_api": "openblas",
                        "architecture": corename().decode(),
                        "num_threads": threads(),
                        "filepath": os.path.basename(path),
                    }
                ]
    return [{"internal_api": "unknown"}]


def time_repeatedly(step, args):
    """The same repetition plan as bench/timing.ts."""
    for _ in range(args.warmup):
        step()
    times = []
    started = time.perf_counter()
    while True:
        elapsed = time.perf_counter() - started
        wanted = len(times) < args.repetitions or elapsed < args.min_seconds
        allowed = len(times) < args.max_repetitions and (not times or elapsed < args.max_seconds)
        if not (wanted and allowed):
            break
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000.0)
    return times


def numpy_step(np, args):
    rng = np.random.default_rng(args.seed)
    dtype = np.dtype(args.dtype)
    n, d0, d1, k = args.count, args.input_dim, args.width, args.restarts
    x = rng.standard_normal((n, d0)).astype(dtype)
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0).astype(dtype)
    bound0, bound1 = 1 / d0**0.5, 1 / d1**0.5
    w = rng.uniform(-bound0, bound0, (k * d1, d0)).astype(dtype)
    b = rng.uniform(-bound0, bound0, k * d1).astype(dtype)
    z = rng.uniform(-bound1, bound1, (k, d1)).astype(dtype)
    c = rng.uniform(-bound1, bound1, k).astype(dtype)
    scale = dtype.type(1.0 / n)
    result = {}

    def step():
        u = x @ w.T
        u += b
        mask = u > 0
        h = np.maximum(u, 0)
        h3 = h.reshape(n, k, d1)
        out = np.einsum("nkj,kj->nk", h3, z) + c
        e = out - y[:, None]
        loss = scale * np.einsum("nk,nk->k", e, e)
        delta = (2 * scale) * e
        dz = np.einsum("nkj,nk->kj", h3, delta)
        dc = delta.sum(axis=0)
        dh = delta[:, :, None] * z[None, :, :]
        dh = dh.reshape(n, k * d1)
        dh *= mask
        dw = dh.T @ x
        db = dh.sum(axis=0)
        result["loss"] = float(loss[0])
        return dw, db, dz, dc

    return step, result


def torch_step(torch, args):
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(args.seed)
    dtype = torch.float32 if args.dtype == "float32" else torch.float64
    n, d0, d1, k = args.count, args.input_dim, args.width, args.restarts
    bound0, bound1 = 1 / d0**0.5, 1 / d1**0.5

    def uniform(bound, *shape):
        return (torch.rand(*shape, generator=generator, dtype=dtype) * 2 - 1) * bound

    x = torch.randn(n, d0, generator=generator, dtype=dtype)
    y = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0).to(dtype)
    w = uniform(bound0, k * d1, d0)
    b = uniform(bound0, k * d1)
    z = uniform(bound1, k, d1)
    c = uniform(bound1, k)
    scale = 1.0 / n
    result = {}

    def step():
        with torch.no_grad():
            u = torch.addmm(b, x, w.t())
            mask = u > 0
            h = torch.relu(u)
            h3 = h.view(n, k, d1)
            out = torch.einsum("nkj,kj->nk", h3, z) + c
            e = out - y[:, None]
            loss = scale * (e * e).sum(dim=0)
            delta = (2 * scale) * e
            dz = torch.einsum("nkj,nk->kj", h3, delta)
            dc = delta.sum(dim=0)
            dh = (delta[:, :, None] * z[None, :, :]).reshape(n, k * d1)
            dh.mul_(mask)
            dw = dh.t() @ x
            db = dh.sum(dim=0)
            result["loss"] = float(loss[0])
            return dw, db, dz, dc

    return step, result


def main():
    args = parse_arguments()
    import numpy as np

    report = {
        "engine": args.engine,
        "python": sys.executable,
        "pythonVersion": sys.version.split()[0],
        "numpyVersion": np.__version__,
    }
    if args.mode == "peak":
        rng = np.random.default_rng(args.seed)
        size = 2048
        a = rng.standard_normal((size, size)).astype(np.float32)
        b = rng.standard_normal((size, size)).astype(np.float32)
        times = time_repeatedly(lambda: a @ b, args)
        report["flops"] = 2 * size**3
    elif args.engine == "numpy":
        step, result = numpy_step(np, args)
        times = time_repeatedly(step, args)
        report["loss"] = result["loss"]
    else:
        import torch

        report["torchVersion"] = torch.__version__
        report["torchThreads"] = torch.get_num_threads()
        report["torchConfig"] = torch.__config__.show().strip().splitlines()[:12]
        step, result = torch_step(torch, args)
        times = time_repeatedly(step, args)
        report["loss"] = result["loss"]
    report["blas"] = blas_info(np)
    report["timesMs"] = times
    report["peakRssBytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
