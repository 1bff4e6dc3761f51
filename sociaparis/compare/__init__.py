"""Comparative analysis of cases: the QCA engine (:mod:`sociaparis.compare.qca`)."""
