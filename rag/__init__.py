"""Vraagbaak core library: parse, normalise, chunk, embed, retrieve, cite, draft."""
