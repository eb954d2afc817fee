"""osslever: from an open-source project's real data to a business decision.

The package reads one way, like the data flows:
``sources`` (adapters that read git, events, manifests, billing) write into the
``store`` (an embedded DuckDB file); ``metrics`` are small functions of the store,
run through an ``engines`` back end; ``models`` reason over metrics (strategy,
license, finance); ``outputs`` render documents for people and machines.
"""

__version__ = "0.1.0"
