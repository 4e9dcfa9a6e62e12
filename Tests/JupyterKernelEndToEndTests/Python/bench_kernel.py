"""Times the d2l-swift kernel as a Jupyter client sees it, and prints the figures.

Usage (in the test venv, with the kernelspec installed; see docs/performance.md):
    bench_kernel.py NOTEBOOK [--kernel d2l-swift] [--cells 15]
Runs the notebook's code cells up to and including `predict-demo` (the chapter, trained),
then times execute_request -> execute_reply of one-line cells, and reads the memory the
kernel's processes hold (proportional set size, so shared pages are counted once).
"""
import argparse
import os
import statistics
import subprocess
import time

import nbformat
from jupyter_client.manager import start_new_kernel


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid):
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    children = {}
    for line in out.splitlines():
        p, pp = map(int, line.split())
        children.setdefault(pp, []).append(p)
    result, todo = [], [pid]
    while todo:
        p = todo.pop()
        result.append(p)
        todo += children.get(p, [])
    return result


parser = argparse.ArgumentParser()
parser.add_argument("notebook")
parser.add_argument("--kernel", default="d2l-swift")
parser.add_argument("--cells", type=int, default=15)
args = parser.parse_args()

notebook = nbformat.read(args.notebook, as_version=4)
start = time.time()
manager, client = start_new_kernel(kernel_name=args.kernel, startup_timeout=120)
print(f"kernel ready after {time.time() - start:.2f} s")
chapter_start = time.time()
ran = 0
for cell in notebook.cells:
    if cell.cell_type != "code":
        continue
    client.execute_interactive(cell.source, timeout=600, output_hook=lambda m: None)
    ran += 1
    if cell.id == "predict-demo":
        break
print(f"chapter's {ran} cells (training included) in {time.time() - chapter_start:.2f} s")

times = []
for n in range(args.cells):
    t = time.time()
    reply = client.execute_interactive(f"print({n} + 1)", timeout=60, output_hook=lambda m: None)
    times.append(time.time() - t)
    assert reply["content"]["status"] == "ok", reply
times.sort()
print(f"one-line cell, execute_request -> execute_reply, {len(times)} runs: median {statistics.median(times):.3f} s, "
      f"fastest {times[0]:.3f} s, slowest {times[-1]:.3f} s")

kernel_pid = manager.provisioner.process.pid
pids = descendants(kernel_pid)
total = sum(pss_kib(p) for p in pids)
print(f"memory: {len(pids)} processes (kernel, base program and one state holder per successful cell), "
      f"{total / 1024:.0f} MiB in all (PSS)")
manager.shutdown_kernel(now=False)
