#!/usr/bin/python3
"""PyTorch baseline of `relax train` (bench/train.sh): the same MLP, data, batch (128), SGD with
Nesterov momentum and thread count, one epoch; prints the training throughput in samples/s.
Data are read from the same gzip IDX files and standardized with the training set's mean and std,
as relax does. Usage: train_torch.py LAYERS THREADS [DATA_DIR]  (LAYERS like 784,1024,1024,10);
THREADS is torch.set_num_threads (intra-op OpenMP threads); OpenBLAS takes OPENBLAS_NUM_THREADS."""
import gzip
import sys
import time

import numpy as np
import torch


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def main():
    layers = [int(w) for w in sys.argv[1].split(",")]
    threads = int(sys.argv[2])
    directory = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist"
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = read_idx(directory + "/train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    y = read_idx(directory + "/train-labels-idx1-ubyte.gz").astype(np.int64)
    x = (x - x.mean()) / x.std()
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    modules = []
    for i in range(len(layers) - 1):
        modules.append(torch.nn.Linear(layers[i], layers[i + 1]))
        if i + 2 < len(layers):
            modules.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*modules)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.randperm(x.shape[0])
    batch = 128
    start = time.perf_counter()
    total = 0.0
    for first in range(0, x.shape[0], batch):
        index = order[first : first + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[index]), y[index])
        loss.backward()
        optimizer.step()
        total += loss.item()
    seconds = time.perf_counter() - start
    print("torch %s threads %d: %.0f samples/s (epoch %.2f s, mean loss %.4f)"
          % (sys.argv[1], threads, x.shape[0] / seconds, seconds,
             total / ((x.shape[0] + batch - 1) // batch)))


if __name__ == "__main__":
    main()
