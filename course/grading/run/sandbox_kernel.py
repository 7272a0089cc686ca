"""A Jupyter kernel started inside bubblewrap and driven from outside it.

Only the kernel, which runs the student's code, is sandboxed; the client that sends it
cells (nbclient, in the grading process) stays outside, so no second Python process is
started per notebook. The kernel's network is unshared, so the two talk over ZeroMQ's
`ipc` transport: unix sockets in a private folder that is mounted into the sandbox and
also holds the connection file.
"""
from __future__ import annotations

import os

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, List, Unicode


class SandboxedKernelManager(AsyncKernelManager):
    sandbox_command = List(Unicode(), help="The command that wraps the kernel (bwrap ... --); empty runs it bare.")
    owner = Integer(-1, help="The uid the kernel runs as, when not the grader's: it must read the connection file.")

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if self.owner >= 0:
            os.chown(self.connection_file, self.owner, self.owner)

    def format_kernel_cmd(self, extra_arguments=None):
        return [*self.sandbox_command, *super().format_kernel_cmd(extra_arguments)]

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        # A signal would reach only bwrap, outside the kernel's PID namespace; ipykernel
        # also takes an interrupt as a message on its control channel.
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec


def sandboxed_kernel_manager(kernel_name: str, sandbox_command: list[str], socket_dir: str,
                             owner: int | None = None) -> SandboxedKernelManager:
    """A kernel manager whose kernel listens on unix sockets in `socket_dir` (run as `owner`, if given)."""
    return SandboxedKernelManager(kernel_name=kernel_name, sandbox_command=sandbox_command, transport="ipc",
                                  ip=f"{socket_dir}/kernel", connection_file=f"{socket_dir}/kernel.json",
                                  owner=-1 if owner is None else owner)
