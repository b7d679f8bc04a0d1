"""Run the command line interface: ``python -m afkg``."""

from afkg.cli import main

main()
