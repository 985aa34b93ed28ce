#!/usr/bin/python3
"""PyTorch baseline of `relax train` (bench/train.sh): the same network, data, batch (128), SGD with
Nesterov momentum, float32; one pass over the first N training samples; prints the training
throughput in samples/s and PyTorch's configuration. Data are read from the same gzip IDX files and
standardized with the training set's mean and std, as relax does.
Usage: train_torch.py NET THREADS [N] [SECONDS] [DATA_DIR]
  NET      an MLP's widths (784,1024,1024,10: plain mnistfc, ReLU, no batch norm), or "lenet": the
           reference mnistconv of the Entropy-SGD code (conv 5x5x20, batch norm, ReLU, max pool 3,
           dropout 0.5; conv 5x5x50, batch norm, ReLU, max pool 2, dropout 0.5; dense 500, batch
           norm, ReLU, dropout 0.5; dense 10), as relax's --net.type=lenet --net.batch_norm=true
           --net.dropout=0.5
  THREADS  torch.set_num_threads (intra-op OpenMP threads); OpenBLAS takes OPENBLAS_NUM_THREADS
  N        training samples of the pass (0: all 60000)
  SECONDS  stop the pass after the first minibatch that ends past this wall time (0: never); the
           rate is that of the minibatches done (a badly oversubscribed setting stays affordable)"""
import gzip
import os
import re
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


def lenet():
    nn = torch.nn

    def block(ci, co, pool):
        return [nn.Conv2d(ci, co, 5), nn.BatchNorm2d(co), nn.ReLU(True),
                nn.MaxPool2d(pool, stride=pool), nn.Dropout(0.5)]

    return nn.Sequential(*block(1, 20, 3), *block(20, 50, 2), nn.Flatten(), nn.Linear(200, 500),
                         nn.BatchNorm1d(500), nn.ReLU(True), nn.Dropout(0.5), nn.Linear(500, 10))


def mlp(layers):
    modules = []
    for i in range(len(layers) - 1):
        modules.append(torch.nn.Linear(layers[i], layers[i + 1]))
        if i + 2 < len(layers):
            modules.append(torch.nn.ReLU())
    return torch.nn.Sequential(*modules)


def main():
    net = sys.argv[1]
    threads = int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    budget = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    directory = sys.argv[5] if len(sys.argv) > 5 else "/usr/share/datasets/fashion-mnist"
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = read_idx(directory + "/train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    y = read_idx(directory + "/train-labels-idx1-ubyte.gz").astype(np.int64)
    x = (x - x.mean()) / x.std()
    if count > 0:
        x, y = x[:count], y[:count]
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    if net == "lenet":
        model = lenet()
        x = x.reshape(-1, 1, 28, 28)
    else:
        model = mlp([int(w) for w in net.split(",")])
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.randperm(x.shape[0])
    batch = 128
    start = time.perf_counter()
    start_cpu = time.process_time()
    total = 0.0
    done = 0
    for first in range(0, x.shape[0], batch):
        index = order[first : first + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[index]), y[index])
        loss.backward()
        optimizer.step()
        total += loss.item()
        done += index.shape[0]
        if budget > 0 and time.perf_counter() - start > budget:
            break
    seconds = time.perf_counter() - start
    cpu = time.process_time() - start_cpu
    blas = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    print("torch %s %s threads %d OMP_NUM_THREADS=%s OPENBLAS_NUM_THREADS=%s (%s): %.0f samples/s "
          "(%d samples in %.2f s, mean loss %.4f), %.0f samples per CPU second"
          % (torch.__version__, net, torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS", "-"),
             os.environ.get("OPENBLAS_NUM_THREADS", "-"), ("BLAS_INFO=" + blas.group(1)) if blas else "BLAS_INFO ?",
             done / seconds, done, seconds, total / ((done + batch - 1) // batch), done / cpu))


if __name__ == "__main__":
    main()
