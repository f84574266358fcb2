"""Only the learned model's C extension (everything else is in pyproject.toml): built from source by
``pip install -e .`` (``make setup``); docs/model.md, *Cost*."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "nakanaori.check.learned._native",
            sources=["src/nakanaori/check/learned/_native.c"],
            # float32 arithmetic in numpy's order: no fused multiply-add, no fast-math
            extra_compile_args=["-O3", "-ffp-contract=off", "-fno-fast-math", "-std=c11", "-Wall", "-Wextra"],
        )
    ]
)
