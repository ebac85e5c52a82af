"""Lets ``python -m asyncshell`` start the same CLI as the console script."""

from asyncshell.cli import main

raise SystemExit(main())
