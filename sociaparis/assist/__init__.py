"""AI-assisted coding under human control.

A model (an OpenAI-compatible endpoint the study chooses) or the offline
suggester trained on the project's own human codings proposes passages for
codes.  Every quote is located in the stored text; a proposal is kept as a
suggestion of a coder named after its model until a person accepts, edits or
rejects it, and only accepted suggestions become codings.
"""
