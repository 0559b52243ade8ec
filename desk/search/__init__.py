"""The desk's case and resident search at /desk/search/ (the search itself is ``search``)."""
