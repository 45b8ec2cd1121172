"""The script language: text to a Script, checked and linted, then timed into a Timeline; the practice library."""
