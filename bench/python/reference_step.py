"""Reference timings for basin's benchmark, for a one-hidden-layer ReLU net (biases, scalar output, MSE).

--mode=step: one full-batch loss + gradient step (cases (a)-(c)). The gradient is written in closed form (the same
formulas basin uses), not by autograd, so numpy and PyTorch run the same arithmetic.
--mode=epoch: one Adam epoch over shuffled minibatches of --batch-size rows (case (d)); the last batch holds the
remainder (PyTorch's DataLoader with drop_last=False). numpy: the closed-form gradient above on each minibatch and
a hand-written Adam in PyTorch's form (torch.optim.Adam's single-tensor update). PyTorch: torch.nn.Linear/ReLU/
Linear, MSELoss, autograd and torch.optim.Adam, as a PyTorch user writes it. Every timed epoch starts from the
same theta0 with fresh Adam state.
--mode=peak: numpy's float32 2048^3 matmul.

Called by bench/python-reference.ts, one process per (engine, case, dtype) so that the peak RSS it reports belongs
to that case alone. Prints one JSON object on stdout.

Data are drawn from the same distributions as basin's benchmark (X ~ N(0, 1), labels +-1, PyTorch-default uniform
initialisation) but from numpy's or torch's own generator: the shapes and the ReLU sparsity match, the bits do not.
X is drawn straight in its precision, so generating it does not hold a second copy. --data-file instead reads X,
y, theta0 and the minibatch order (flat JSON lists) so that a test can run the epoch on basin's exact data.
"""

import argparse
import json
import math
import resource
import sys
import time


def parse_arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["numpy", "torch"], required=True)
    parser.add_argument("--mode", choices=["step", "epoch", "peak"], default="step")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="torch only")
    parser.add_argument("--batch-size", type=int, default=512, help="epoch mode")
    parser.add_argument("--learning-rate", type=float, default=1e-3, help="epoch mode: Adam's lr")
    parser.add_argument("--beta1", type=float, default=0.9)
    parser.add_argument("--beta2", type=float, default=0.999)
    parser.add_argument("--epsilon", type=float, default=1e-8)
    parser.add_argument("--data-file", help="epoch mode: JSON with x, y, theta (basin's layout) and order")
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


def time_repeatedly(step, args, synchronise=None):
    """The same repetition plan as bench/timing.ts; `synchronise` (CUDA) runs before the clock is read."""
    for _ in range(args.warmup):
        step()
    if synchronise:
        synchronise()
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
        if synchronise:
            synchronise()
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
    device = torch.device(args.device)
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
    x, y, w, b, z, c = (t.to(device) for t in (x, y, w, b, z, c))
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


def epoch_data(np, args):
    """X, y, theta0 (basin's layout: W1 row-major d1 x d0, b1, w2, b2) and the order (None: shuffle per epoch)."""
    dtype = np.dtype(args.dtype)
    n, d0, d1 = args.count, args.input_dim, args.width
    if args.data_file:
        with open(args.data_file) as handle:
            data = json.load(handle)
        x = np.asarray(data["x"], dtype=dtype).reshape(n, d0)
        y = np.asarray(data["y"], dtype=dtype)
        theta = np.asarray(data["theta"], dtype=dtype)
        order = np.asarray(data["order"], dtype=np.int64)
        return x, y, theta, order
    rng = np.random.default_rng(args.seed)
    x = rng.standard_normal((n, d0), dtype=dtype)
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0).astype(dtype)
    bound0, bound1 = 1 / d0**0.5, 1 / d1**0.5
    theta = np.concatenate(
        [
            rng.uniform(-bound0, bound0, d1 * d0 + d1),
            rng.uniform(-bound1, bound1, d1 + 1),
        ]
    ).astype(dtype)
    return x, y, theta, None


def batches(n, size):
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def numpy_epoch(np, args):
    x, y, theta0, order = epoch_data(np, args)
    n, d0, d1 = args.count, args.input_dim, args.width
    beta1, beta2, eps, lr = args.beta1, args.beta2, args.epsilon, args.learning_rate
    shuffle = np.random.default_rng(args.seed + 1)
    result = {}

    def unpack(theta):
        return (
            theta[: d1 * d0].reshape(d1, d0),
            theta[d1 * d0 : d1 * d0 + d1],
            theta[d1 * d0 + d1 : d1 * d0 + 2 * d1],
            theta[d1 * d0 + 2 * d1 :],
        )

    def loss_and_gradient(theta, xb, yb):
        w, b, z, c = unpack(theta)
        rows = len(yb)
        u = xb @ w.T
        u += b
        h = np.maximum(u, 0)
        e = h @ z + c[0] - yb
        loss = float(e @ e) / rows
        delta = e * (2.0 / rows)
        gradient = np.empty_like(theta)
        gw, gb, gz, gc = unpack(gradient)
        gz[:] = h.T @ delta
        gc[0] = delta.sum()
        dh = np.multiply.outer(delta, z)
        dh *= u > 0
        gw[:] = dh.T @ xb
        gb[:] = dh.sum(axis=0)
        return loss, gradient

    def epoch():
        theta = theta0.copy()
        m = np.zeros_like(theta)
        v = np.zeros_like(theta)
        permutation = order if order is not None else shuffle.permutation(n)
        weighted = 0.0
        for t, (start, stop) in enumerate(batches(n, args.batch_size), start=1):
            rows = permutation[start:stop]
            loss, g = loss_and_gradient(theta, x[rows], y[rows])
            weighted += loss * len(rows)
            # torch.optim.Adam (single-tensor form): m, v updated in place, then
            # theta -= (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + eps
            theta -= (lr / (1 - beta1**t)) * m / denom
        result["theta"] = theta
        result["loss"] = weighted / n

    def final_loss():
        w, b, z, c = unpack(result["theta"])
        e = np.maximum(x @ w.T + b, 0) @ z + c[0] - y
        return float(e @ e) / n

    return epoch, result, final_loss


def torch_epoch(torch, np, args):
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    dtype = torch.float32 if args.dtype == "float32" else torch.float64
    n, d0, d1 = args.count, args.input_dim, args.width
    if args.data_file:
        x, y, theta0, order = (None if a is None else torch.from_numpy(a) for a in epoch_data(np, args))
    else:
        generator = torch.Generator().manual_seed(args.seed)
        bound0, bound1 = 1 / d0**0.5, 1 / d1**0.5
        x = torch.randn(n, d0, generator=generator, dtype=dtype)
        y = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0).to(dtype)
        theta0 = torch.cat(
            [
                (torch.rand(d1 * d0 + d1, generator=generator, dtype=dtype) * 2 - 1) * bound0,
                (torch.rand(d1 + 1, generator=generator, dtype=dtype) * 2 - 1) * bound1,
            ]
        )
        order = None
    x, y, theta0 = x.to(device), y.to(device), theta0.to(device)
    if order is not None:
        order = order.to(device)
    model = torch.nn.Sequential(torch.nn.Linear(d0, d1), torch.nn.ReLU(), torch.nn.Linear(d1, 1))
    model = model.to(device=device, dtype=dtype)
    parameters = list(model.parameters())  # W1 (d1, d0), b1, w2 (1, d1), b2: basin's layout, in order
    criterion = torch.nn.MSELoss()
    shuffle = torch.Generator().manual_seed(args.seed + 1)
    result = {}

    def load(theta):
        offset = 0
        with torch.no_grad():
            for parameter in parameters:
                parameter.copy_(theta[offset : offset + parameter.numel()].view_as(parameter))
                offset += parameter.numel()

    def epoch():
        load(theta0)
        optimiser = torch.optim.Adam(
            parameters, lr=args.learning_rate, betas=(args.beta1, args.beta2), eps=args.epsilon
        )
        permutation = order if order is not None else torch.randperm(n, generator=shuffle).to(device)
        weighted = torch.zeros((), dtype=dtype, device=device)
        for start, stop in batches(n, args.batch_size):
            rows = permutation[start:stop]
            optimiser.zero_grad(set_to_none=True)
            loss = criterion(model(x[rows]).view(-1), y[rows])
            loss.backward()
            optimiser.step()
            weighted += loss.detach() * (stop - start)
        result["loss"] = float(weighted) / n

    def final_loss():
        with torch.no_grad():
            return float(criterion(model(x).view(-1), y))

    return epoch, result, final_loss


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
        if args.mode == "epoch":
            step, result, final_loss = numpy_epoch(np, args)
        else:
            step, result = numpy_step(np, args)
        times = time_repeatedly(step, args)
        report["loss"] = result["loss"]
        if args.mode == "epoch":
            report["finalLoss"] = final_loss()
    else:
        import torch

        synchronise = None
        if args.device == "cuda":
            if not torch.cuda.is_available():
                sys.exit("--device cuda: torch.cuda.is_available() is False")
            synchronise = torch.cuda.synchronize
            report["cudaDevice"] = torch.cuda.get_device_name()
        report["device"] = args.device
        report["torchVersion"] = torch.__version__
        report["torchThreads"] = torch.get_num_threads()
        report["torchConfig"] = torch.__config__.show().strip().splitlines()[:12]
        if args.mode == "epoch":
            step, result, final_loss = torch_epoch(torch, np, args)
        else:
            step, result = torch_step(torch, args)
        times = time_repeatedly(step, args, synchronise)
        report["loss"] = result["loss"]
        if args.mode == "epoch":
            report["finalLoss"] = final_loss()
        if synchronise:
            report["gpuPeakBytes"] = torch.cuda.max_memory_allocated()
    report["blas"] = blas_info(np)
    report["timesMs"] = times
    report["peakRssBytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
