"""Thin HTTP layer over the rag library."""
