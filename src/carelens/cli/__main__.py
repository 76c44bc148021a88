"""``python -m carelens.cli``: what the installed ``carelens`` script runs."""

from carelens.cli import main

main()
