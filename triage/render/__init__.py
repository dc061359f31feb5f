"""Renderers: an Outcome or a KnowledgeBase in, a string out. No I/O."""
