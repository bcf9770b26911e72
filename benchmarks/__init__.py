"""The benchmark suite of chronology, run side by side with the ``eventsourcing`` library.

Run it with ``python -m benchmarks --size tiny|small|large``; see ``benchmarks/README.md``.
"""
