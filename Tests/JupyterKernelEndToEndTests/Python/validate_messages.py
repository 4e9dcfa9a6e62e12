"""Checks every message a kernel sends against jupyter_kernel_test's message schemas.

Usage: validate_messages.py CONNECTION_FILE. The kernel behind it runs the test suite's
ScriptedExecutor (MessageSchemaTests.swift): "error" in the code fails, other code publishes
one output of each kind. Prints one line per checked message type; exits non-zero on the first
message that does not validate or a reply that does not come.
"""
import sys

from jupyter_client import BlockingKernelClient
from jupyter_kernel_test.msgspec_v5 import validate_message

TIMEOUT = 10
seen = set()


def replies_and_outputs(msg_id, reply_type, channel):
    reply = channel(timeout=TIMEOUT)
    validate_message(reply, reply_type, msg_id)
    seen.add(reply_type)
    outputs = []
    while True:
        message = kc.get_iopub_msg(timeout=TIMEOUT)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        validate_message(message, message["msg_type"], msg_id)
        seen.add(message["msg_type"])
        outputs.append(message)
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            return reply, outputs


kc = BlockingKernelClient(connection_file=sys.argv[1])
kc.load_connection_file()
kc.start_channels()
kc.wait_for_ready(timeout=TIMEOUT)

reply, outputs = replies_and_outputs(kc.execute("1 + 1"), "execute_reply", kc.get_shell_msg)
assert reply["content"]["status"] == "ok", reply
assert [m["msg_type"] for m in outputs] == ["status", "execute_input", "stream", "display_data",
                                           "update_display_data", "execute_result", "status"], outputs
reply, outputs = replies_and_outputs(kc.execute("error here"), "execute_reply", kc.get_shell_msg)
assert reply["content"]["status"] == "error", reply
assert [m["msg_type"] for m in outputs].count("error") == 1, outputs
replies_and_outputs(kc.kernel_info(), "kernel_info_reply", kc.get_shell_msg)
replies_and_outputs(kc.complete("pr", 2), "complete_reply", kc.get_shell_msg)
replies_and_outputs(kc.inspect("x", 1), "inspect_reply", kc.get_shell_msg)
replies_and_outputs(kc.history(hist_access_type="tail", n=10), "history_reply", kc.get_shell_msg)
replies_and_outputs(kc.is_complete("func f() {"), "is_complete_reply", kc.get_shell_msg)
replies_and_outputs(kc.comm_info(), "comm_info_reply", kc.get_shell_msg)
# jupyter_client sends shutdown on control.
replies_and_outputs(kc.shutdown(), "shutdown_reply", kc.get_control_msg)
for message_type in sorted(seen):
    print("valid", message_type)
