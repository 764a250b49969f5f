"""Evaluation commands: score the pipeline's stages against annotated corpora."""
