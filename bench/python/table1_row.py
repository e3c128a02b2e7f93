"""The Table 1 CIFAR row as the authors' recipe runs it, timed per stage: the reference of bench/run.ts --cases=row.

From the CIFAR-10 binary files in --directory (data_batch_1..5.bin train, test_batch.bin test): read them with
numpy, scale the pixels to [0, 1] (/255, float32, as basin's loader and scale-to-unit step), labels +1 for classes
>= --boundary and -1 below (basin's `low-high` split), ZCA whitening in float64 (mean, covariance Xc^T Xc / N,
np.linalg.eigh, W = U diag(1/sqrt(lambda + eps)) U^T, applied as one product, stored as float32), the test set
whitened with the training statistics; then --epochs epochs of Adam on minibatches of --batch-size rows in a fresh
random order each epoch (the last batch holds the remainder), lr = --learning-rate * gamma^max(0, e - hold) for
0-based epoch e, a training-error check after every epoch (full forward pass, a sample is right when the output has
its label's sign; an output of exactly 0 is wrong, as in basin), and at the end the full-batch training loss and
error and the test error.

--engine=torch: nn.Linear(3072, H) -> ReLU -> nn.Linear(H, 1), PyTorch's default initialisation, MSELoss, autograd
and torch.optim.Adam in float32 with --threads threads, the loop a PyTorch user writes. --engine=numpy (no PyTorch):
the closed-form gradient and a hand-written Adam in torch.optim.Adam's form, as reference_step.py's epoch mode.

Prints one JSON object on stdout: seconds per stage, per epoch and per check, the whole row (reading the first file
to the last evaluation; the interpreter's start and the imports are reported apart as importSeconds), losses,
errors, versions and peak RSS. Called by bench/python-reference.ts (measureRowInPython).
"""

import argparse
import json
import math
import os
import resource
import sys
import time

RECORD_BYTES = 3073
TRAIN_FILES = [f"data_batch_{k}.bin" for k in range(1, 6)]
TEST_FILES = ["test_batch.bin"]


def parse_arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--directory", required=True)
    parser.add_argument("--engine", choices=["numpy", "torch"], required=True)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--boundary", type=int, default=5, help="classes >= boundary are +1")
    parser.add_argument("--whiten-epsilon", type=float, required=True)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--learning-rate", type=float, default=5e-4)
    parser.add_argument("--hold-epochs", type=int, default=200)
    parser.add_argument("--gamma", type=float, default=0.95)
    parser.add_argument("--beta1", type=float, default=0.9)
    parser.add_argument("--beta2", type=float, default=0.999)
    parser.add_argument("--adam-epsilon", type=float, default=1e-8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


class Stages:
    """Seconds per named stage, summed when a stage runs more than once."""

    def __init__(self):
        self.seconds = {}

    def run(self, name, work):
        started = time.perf_counter()
        result = work()
        self.add(name, time.perf_counter() - started)
        return result

    def add(self, name, seconds):
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


def read_files(np, directory, names):
    records = np.concatenate([np.fromfile(os.path.join(directory, name), dtype=np.uint8) for name in names])
    records = records.reshape(-1, RECORD_BYTES)
    return records[:, 0], records[:, 1:]


def scale(np, pixels):
    x = pixels.astype(np.float32)
    x /= np.float32(255)
    return x


def labels_pm1(np, classes, boundary):
    return np.where(classes >= boundary, 1.0, -1.0).astype(np.float32)


def learning_rate(args, epoch):
    return args.learning_rate * args.gamma ** max(0, epoch - args.hold_epochs)


def batches(n, size):
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def torch_trainer(torch, np, args, x, y):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    n, d0 = x.shape
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    model = torch.nn.Sequential(torch.nn.Linear(d0, args.hidden), torch.nn.ReLU(), torch.nn.Linear(args.hidden, 1))
    criterion = torch.nn.MSELoss()
    optimiser = torch.optim.Adam(
        model.parameters(), lr=args.learning_rate, betas=(args.beta1, args.beta2), eps=args.adam_epsilon
    )
    shuffle = torch.Generator().manual_seed(args.seed + 1)

    def epoch(e):
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(args, e)
        permutation = torch.randperm(n, generator=shuffle)
        weighted = torch.zeros(())
        for start, stop in batches(n, args.batch_size):
            rows = permutation[start:stop]
            optimiser.zero_grad(set_to_none=True)
            loss = criterion(model(xt[rows]).view(-1), yt[rows])
            loss.backward()
            optimiser.step()
            weighted += loss.detach() * (stop - start)
        return float(weighted) / n

    def outputs(data):
        with torch.no_grad():
            return model(torch.from_numpy(data)).view(-1).numpy()

    return epoch, outputs


def numpy_trainer(np, args, x, y):
    n, d0 = x.shape
    d1 = args.hidden
    rng = np.random.default_rng(args.seed)
    bound0, bound1 = 1 / d0**0.5, 1 / d1**0.5
    w = rng.uniform(-bound0, bound0, (d1, d0)).astype(np.float32)
    b = rng.uniform(-bound0, bound0, d1).astype(np.float32)
    z = rng.uniform(-bound1, bound1, d1).astype(np.float32)
    c = rng.uniform(-bound1, bound1, 1).astype(np.float32)
    parameters = [w, b, z, c]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in parameters]
    shuffle = np.random.default_rng(args.seed + 1)
    step = [0]

    def epoch(e):
        lr = learning_rate(args, e)
        permutation = shuffle.permutation(n)
        weighted = 0.0
        for start, stop in batches(n, args.batch_size):
            rows = permutation[start:stop]
            xb, yb = x[rows], y[rows]
            u = xb @ w.T
            u += b
            h = np.maximum(u, 0)
            e_ = h @ z + c[0] - yb
            weighted += float(e_ @ e_)
            delta = e_ * np.float32(2.0 / len(rows))
            dh = np.multiply.outer(delta, z)
            dh *= u > 0
            gradients = [dh.T @ xb, dh.sum(axis=0), h.T @ delta, np.array([delta.sum()], dtype=np.float32)]
            step[0] += 1
            t = step[0]
            # torch.optim.Adam's single-tensor update.
            for p, g, (m, v) in zip(parameters, gradients, moments):
                m *= args.beta1
                m += (1 - args.beta1) * g
                v *= args.beta2
                v += (1 - args.beta2) * g * g
                p -= (lr / (1 - args.beta1**t)) * m / (np.sqrt(v) / math.sqrt(1 - args.beta2**t) + args.adam_epsilon)
        return weighted / n

    def outputs(data):
        return np.maximum(data @ w.T + b, 0) @ z + c[0]

    return epoch, outputs


def errors(np, out, y):
    correct = np.where(y > 0, out > 0, out < 0)
    return int(len(y) - np.count_nonzero(correct))


def main():
    args = parse_arguments()
    imports_started = time.perf_counter()
    import numpy as np

    torch = None
    if args.engine == "torch":
        import torch
    import_seconds = time.perf_counter() - imports_started

    stages = Stages()
    started = time.perf_counter()
    classes, pixels = stages.run("read", lambda: read_files(np, args.directory, TRAIN_FILES))
    x = stages.run("scale", lambda: scale(np, pixels))
    del pixels
    y = labels_pm1(np, classes, args.boundary)
    n = len(y)

    def covariance():
        mean = x.mean(axis=0, dtype=np.float64)
        centred = x - mean
        return mean, centred, (centred.T @ centred) / n

    mean, centred, cov = stages.run("covariance", covariance)
    del x
    eigenvalues, vectors = stages.run("eigendecomposition", lambda: np.linalg.eigh(cov))
    w = stages.run(
        "whitening matrix", lambda: (vectors * (1.0 / np.sqrt(eigenvalues + args.whiten_epsilon))) @ vectors.T
    )
    x = stages.run("apply whitening", lambda: (centred @ w).astype(np.float32))
    del centred

    def test_set():
        test_classes, test_pixels = read_files(np, args.directory, TEST_FILES)
        return ((scale(np, test_pixels) - mean) @ w).astype(np.float32), labels_pm1(np, test_classes, args.boundary)

    x_test, y_test = stages.run("test set", test_set)

    if torch is not None:
        epoch, outputs = stages.run("setup", lambda: torch_trainer(torch, np, args, x, y))
    else:
        epoch, outputs = stages.run("setup", lambda: numpy_trainer(np, args, x, y))
    epoch_seconds, check_seconds, losses, train_errors = [], [], [], []
    for e in range(args.epochs):
        t0 = time.perf_counter()
        losses.append(epoch(e))
        t1 = time.perf_counter()
        train_errors.append(errors(np, outputs(x), y) / n)
        t2 = time.perf_counter()
        epoch_seconds.append(t1 - t0)
        check_seconds.append(t2 - t1)
    stages.add("epochs", sum(epoch_seconds))
    stages.add("error checks", sum(check_seconds))

    def final():
        out = outputs(x)
        residual = out.astype(np.float64) - y
        return float(residual @ residual) / n, errors(np, out, y) / n, errors(np, outputs(x_test), y_test) / len(y_test)

    final_loss, train_mce, test_mce = stages.run("final evaluation", final)
    whole = time.perf_counter() - started

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from reference_step import blas_info

    report = {
        "engine": args.engine,
        "python": sys.executable,
        "pythonVersion": sys.version.split()[0],
        "numpyVersion": np.__version__,
        "blas": blas_info(np),
        "importSeconds": import_seconds,
        "wholeSeconds": whole,
        "stages": stages.seconds,
        "epochSeconds": epoch_seconds,
        "checkSeconds": check_seconds,
        "epochs": args.epochs,
        "losses": losses,
        "trainErrors": train_errors,
        "sampleCount": n,
        "testCount": len(y_test),
        "finalLoss": final_loss,
        "trainMce": train_mce,
        "testMce": test_mce,
        "largestEigenvalue": float(eigenvalues[-1]),
        "smallestEigenvalue": float(eigenvalues[0]),
        "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    if torch is not None:
        report["torchVersion"] = torch.__version__
        report["torchThreads"] = torch.get_num_threads()
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
