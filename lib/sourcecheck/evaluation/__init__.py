"""Measuring sourcecheck's stages against gold annotations.

``sourcecheck.evaluation.attribution`` scores the attribution extractor on a
PolNeAR-format JSONL file (``sourcecheck evaluate GOLD.jsonl``).
"""
