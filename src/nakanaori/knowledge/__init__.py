"""The knowledge base: YAML data (rules with examples, cues, lexicon, guidance, templates, phrases, plan)
and the one loader that reads and validates it. Imports no capability."""

from .loader import KNOWLEDGE_DIR, KnowledgeError, load_directory, load_model, load_yaml

__all__ = ["KNOWLEDGE_DIR", "KnowledgeError", "load_directory", "load_model", "load_yaml"]
