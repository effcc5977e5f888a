"""The JSON API for scanner devices, authenticated by per-desk tokens."""
