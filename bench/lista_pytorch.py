#!/usr/bin/env python3
"""The PyTorch baseline for bench_lista: the same LISTA model and training step
as barriers' lista_train (float64, x_0 = 0, x <- soft_theta(x + W^T (y - A x / s)),
MSE loss, Adam, shuffled mini-batches, one validation forward pass per epoch),
timed per epoch on CPU with a given number of threads.

Prints one line "ms_per_epoch <best> <median> <best_cpu>" (best and median wall
time and best process CPU time over the timed epochs, in ms), or
"unavailable <reason>" when torch cannot be imported. Only the
timing is compared; the data are random with the Table-1 shapes.
"""
import argparse
import statistics
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--m", type=int, default=21)
    ap.add_argument("--n", type=int, default=22)
    ap.add_argument("--samples", type=int, default=8000)
    ap.add_argument("--validation", type=int, default=100)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--layers", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure means "no baseline"
        print("unavailable", type(e).__name__, str(e).replace("\n", " "))
        return 0

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    dt = torch.float64
    A = torch.randn(a.m, a.n, dtype=dt) / a.m ** 0.5
    s = 10 * torch.linalg.matrix_norm(A, ord=2)
    As_t = (A / s).t().contiguous()  # samples are rows here: r = y - x As^T

    def sparse(count):
        X = torch.zeros(count, a.n, dtype=dt)
        idx = torch.randint(0, a.n, (count, 5))
        X.scatter_(1, idx, torch.randn(count, 5, dtype=dt))
        return X

    Xt, Xv = sparse(a.samples), sparse(a.validation)
    Yt, Yv = Xt @ A.t(), Xv @ A.t()
    W = [(torch.randn(a.m, a.n, dtype=dt) / s).requires_grad_() for _ in range(a.layers)]
    theta = [torch.full((), 1e-7, dtype=dt).requires_grad_() for _ in range(a.layers)]
    opt = torch.optim.Adam(W + theta, lr=2e-4)
    loss_fn = torch.nn.MSELoss()

    def forward(Y):
        x = torch.zeros(Y.shape[0], a.n, dtype=dt)
        for Wi, ti in zip(W, theta):
            z = x + (Y - x @ As_t) @ Wi
            x = torch.sign(z) * torch.relu(torch.abs(z) - ti)
        return x

    def epoch():
        perm = torch.randperm(a.samples)
        for start in range(0, a.samples, a.batch):
            b = perm[start:start + a.batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(forward(Yt[b]), Xt[b])
            loss.backward()
            opt.step()
            with torch.no_grad():
                for ti in theta:
                    ti.clamp_(min=0)
        with torch.no_grad():
            loss_fn(forward(Yv), Xv).item()

    for _ in range(a.warmup):
        epoch()
    times, cpu = [], []
    for _ in range(a.epochs):
        t0, c0 = time.perf_counter(), time.process_time()
        epoch()
        times.append(1e3 * (time.perf_counter() - t0))
        cpu.append(1e3 * (time.process_time() - c0))
    print("ms_per_epoch %.4f %.4f %.4f" % (min(times), statistics.median(times), min(cpu)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
