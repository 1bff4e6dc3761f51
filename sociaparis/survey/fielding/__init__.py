"""Fielding: inviting respondents, saving their answers page by page, anonymously
where the study says so, and laying pages out for them."""
