"""``python -m pipeline`` runs the pactwatch command."""

from pipeline.cli import main

main()
