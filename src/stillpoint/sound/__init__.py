"""Events and speech clips to PCM: silences, bells, fades, loudness and ambience."""
