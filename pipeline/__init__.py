"""News event timeline dataset pipeline: raw articles in, dated events and casualty figures out."""

__version__ = "0.1.0"
