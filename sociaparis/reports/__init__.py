"""Reports of a survey: a pure report model, SVG charts, HTML and PDF rendering.

:func:`~sociaparis.reports.build.build_report` turns the export tables of a
form's responses, the instrument and the study's population margins into a
:class:`~sociaparis.reports.content.Report` (weighted estimates, every table
through disclosure control); :func:`~sociaparis.reports.render.render_html`
and :func:`~sociaparis.reports.render.write_report` turn it into one
self-contained HTML page or a PDF. See ``docs/reports.md``.
"""
