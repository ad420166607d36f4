"""Command-line front ends: argument parsing and rendering over the library, nothing else."""
