"""`python -m beamlab.kernel -f <connection file>`: what Jupyter runs to start the kernel."""

from __future__ import annotations


def main() -> None:
    from ipykernel.kernelapp import IPKernelApp

    from beamlab.kernel.kernel import BeamKernel

    IPKernelApp.launch_instance(kernel_class=BeamKernel)


if __name__ == "__main__":
    main()
