"""Evaluation: gold sets, metrics, runs and reports; uses only the rag library's public API."""
