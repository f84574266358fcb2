"""The C extensions (everything else is in pyproject.toml): built from source by ``pip install -e .``
(``make setup``); each has its Python reference beside it."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "nakanaori.text._speedups",
            sources=["src/nakanaori/text/_speedups.c"],
            extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wextra"],
        )
    ]
)
