"""Survey instruments: XLSForm questionnaires, the form-logic engine, their storage."""
