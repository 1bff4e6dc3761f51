"""Case matrices: comparison frames whose cells keep their evidence.

See ``docs/qca.md`` (section "Case matrix") and :mod:`.service` and :mod:`.sources`.
"""
