"""The studio: a local web app to write, check, hear and hand over practices (`stillpoint studio`)."""
