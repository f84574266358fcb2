"""The C extensions (everything else is in pyproject.toml), built from source by ``pip install -e .``
(``make setup``); each keeps its Python reference beside it, and a test fails when one is not built:

* ``nakanaori.check.learned._native``: the learned model's feature codes and scoring (docs/model.md, *Cost*);
* ``nakanaori.text._speedups``: the per-token loops of the analysis and of the rule engine's prefilter
  (docs/architecture.md, *The pipeline around the matcher*).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "nakanaori.check.learned._native",
            sources=["src/nakanaori/check/learned/_native.c"],
            # float32 arithmetic in numpy's order: no fused multiply-add, no fast-math
            extra_compile_args=["-O3", "-ffp-contract=off", "-fno-fast-math", "-std=c11", "-Wall", "-Wextra"],
        ),
        Extension(
            "nakanaori.text._speedups",
            sources=["src/nakanaori/text/_speedups.c"],
            extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wextra"],
        ),
    ]
)
