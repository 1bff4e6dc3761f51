"""sociaparis: a research workbench for studying AI adoption in administrations."""

__version__ = "0.1.0"
