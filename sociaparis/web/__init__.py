"""The web interface: respondent pages and the researcher's views."""
