"""Placeholder for the shared AWS (moto) fixtures plugin; its owner replaces this file."""
