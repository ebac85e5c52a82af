"""Lets ``python -m asyncshell`` start the same CLI as the console script."""

from asyncshell.cli import entry

raise SystemExit(entry())
