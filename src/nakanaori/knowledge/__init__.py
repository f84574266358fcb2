"""The knowledge base: YAML data validated by pydantic at load."""

from .loader import KnowledgeError, load_rules

__all__ = ["KnowledgeError", "load_rules"]
