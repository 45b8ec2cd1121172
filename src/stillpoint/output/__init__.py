"""Files for the listener: MP3 and WAV tracks with their tags, sidecars, cover art and safe file names."""
