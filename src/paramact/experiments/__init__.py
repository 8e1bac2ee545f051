"""Reproductions of the experiments of Kong & Ko (2021): XOR (``paramact.experiments.xor``) and MNIST (``paramact.experiments.mnist``)."""
