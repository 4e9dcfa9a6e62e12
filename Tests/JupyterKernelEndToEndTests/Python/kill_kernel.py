"""Starts a kernel as Jupyter does (jupyter_client), runs two cells and a third that hangs, kills
the kernel outright (SIGKILL, as `shutdown_kernel(now=True)` does) and prints, as one JSON
object, how many of the kernel's processes ran before the kill and which still run after it.

Usage: kill_kernel.py KERNEL_NAME
"""
import json
import os
import signal
import sys
import time

import jupyter_client


def processes(kernel_pid):
    """The live processes started from the kernel's folder (its base program and its forks)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                command = f.read()
            with open(f"/proc/{entry}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if f"d2l-kernel-{kernel_pid}/".encode() in command and state != "Z":
            found.append(int(entry))
    return found


manager, client = jupyter_client.manager.start_new_kernel(kernel_name=sys.argv[1])
kernel_pid = manager.provisioner.process.pid
try:
    for code in ["let a = 1", "let b = a + 1"]:
        reply = client.execute_interactive(code, timeout=60)
        assert reply["content"]["status"] == "ok", reply
    hanging = client.execute('print("hanging")\nsleep(600)')
    # Killed once the cell has printed and only sleeps: a process writing after the kernel's end
    # would die of SIGPIPE anyway, and the chain with it, which would hide what is tested.
    while True:
        message = client.get_iopub_msg(timeout=60)
        if message["parent_header"].get("msg_id") == hanging and message["msg_type"] == "stream":
            break
    time.sleep(0.5)
    before = processes(kernel_pid)
    os.kill(kernel_pid, signal.SIGKILL)
    deadline = time.time() + 5
    while processes(kernel_pid) and time.time() < deadline:
        time.sleep(0.05)
    after = processes(kernel_pid)
finally:
    client.stop_channels()
for pid in after:
    os.kill(pid, signal.SIGKILL)
print(json.dumps({"before": len(before), "after": after}))
