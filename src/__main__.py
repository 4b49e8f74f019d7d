"""`python -m beamlab` (and the `beamlab` command): set up the Jupyter kernel.

    python -m beamlab install [--user | --sys-prefix | --prefix DIR] [--name NAME]
    python -m beamlab uninstall [--name NAME]
    python -m beamlab kernel -f CONNECTION_FILE     (what Jupyter runs; same as -m beamlab.kernel)

`install` without a flag installs into the active virtualenv, or for the
current user outside one. Then pick "BEAM Lab (Python)" in JupyterLab,
Notebook, VS Code or `jupyter console --kernel beamlab`.
"""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m beamlab",
        description="beamlab: a Jupyter kernel that is a lab for the BEAM's ideas.")
    sub = p.add_subparsers(dest="command", metavar="{install,uninstall,kernel}")
    inst = sub.add_parser("install", help='install the "BEAM Lab (Python)" kernelspec')
    where = inst.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_const", const="user", dest="scope",
                       help="for the current user (~/.local/share/jupyter)")
    where.add_argument("--sys-prefix", action="store_const", const="sys-prefix", dest="scope",
                       help=f"into this Python environment ({sys.prefix})")
    where.add_argument("--system", action="store_const", const="system", dest="scope",
                       help="system-wide (usually needs root)")
    where.add_argument("--prefix", metavar="DIR", help="under another prefix")
    inst.add_argument("--name", default=None, help="kernelspec name (default: beamlab)")
    inst.add_argument("--display-name", default=None,
                      help='name shown in launchers (default: "BEAM Lab (Python)")')
    un = sub.add_parser("uninstall", help="remove the kernelspec")
    un.add_argument("--name", default=None)
    sub.add_parser("kernel", help="run the kernel (Jupyter does this)", add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m beamlab` and the `beamlab` script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["kernel"]:
        from beamlab.kernel.__main__ import main as kernel_main
        sys.argv = [sys.argv[0], *argv[1:]]
        kernel_main()
        return 0
    args = _parser().parse_args(argv)
    from beamlab.kernel import kernelspec

    if args.command == "install":
        dest = kernelspec.install(args.scope, prefix=args.prefix,
                                  name=args.name or kernelspec.KERNEL_NAME,
                                  display_name=args.display_name or kernelspec.DISPLAY_NAME)
        print(f'Installed the "{args.display_name or kernelspec.DISPLAY_NAME}" kernel in {dest}')
        return 0
    if args.command == "uninstall":
        where = kernelspec.uninstall(args.name or kernelspec.KERNEL_NAME)
        print(f"Removed {where}" if where else "The beamlab kernel was not installed.")
        return 0
    _parser().print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
