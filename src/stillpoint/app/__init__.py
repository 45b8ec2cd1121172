"""The use cases both the command line and the studio call: check, plan, render, preview, export, batch."""
