"""What tests and benchmarks share: real servers on 127.0.0.1, sample digests, the labelled sets' loaders.

Imported as a package (`from tests.support.http import LocalServer`), by tests and by `bench/`;
nothing here imports a test module, and nothing edits sys.path.
"""
