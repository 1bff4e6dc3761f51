"""Qualitative corpus: documents, pseudonymization, codebooks, codings, interchange."""
