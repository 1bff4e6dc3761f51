"""sociaparis: a self-hosted research workbench for studying AI adoption in public administrations."""

__version__ = "0.1.0"
