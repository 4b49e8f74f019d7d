"""`python -m beamlab.kernel -f <connection file>`: what Jupyter runs to start the kernel."""

from __future__ import annotations


def main() -> None:
    from ipykernel.kernelapp import IPKernelApp

    from beamlab.kernel.kernel import BeamKernel

    IPKernelApp.launch_instance(kernel_class=BeamKernel)
    exit_without_teardown()


def exit_without_teardown(code: int = 0) -> None:
    """End the kernel process once it has shut down, without freeing its heap object by object.

    By now the runtime is stopped (BeamKernel.do_shutdown). What is left is the
    interpreter's teardown, which frees every object one at a time: with 100,000
    processes that alone took 1.9 s, which with the shutdown itself missed
    jupyter_client's 2.5 s before SIGTERM. So the exit handlers run as Python
    would run them (IPython's history, logging, ipykernel's own), the streams are
    flushed, and the process leaves with `os._exit`; the OS takes the memory back.
    """
    import atexit
    import os
    import sys

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
