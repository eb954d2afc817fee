"""Build of the one compiled part: the GH Archive line scanner (``_speedups.c``).

Everything else is in pyproject.toml. The extension is optional: without a C
compiler the install still succeeds and the reader uses the pure-Python path
(msgspec), which gives the same rows, only slower (docs/events.md).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "osslever.sources.gharchive._speedups",
            sources=["src/osslever/sources/gharchive/_speedups.c"],
            extra_compile_args=["-O3"],
            optional=True,
        )
    ]
)
