"""Researcher pages, one module and one template folder per domain."""
