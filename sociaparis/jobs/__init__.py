"""Background jobs: long work (exports, reports) queued and run by job workers.

The ``jobs`` table is the record the pages and the CLI read (owner, status,
percent, step, result, error); the huey task queue carries the execution
(:mod:`sociaparis.jobs.queue`). The package is domain-neutral and sits beside
the domains: the kinds of job it runs (:mod:`sociaparis.jobs.kinds`) call the
public functions of ``survey`` and ``reports``.
"""
