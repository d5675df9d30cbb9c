"""Writers of test data in the publishers' exact formats: the bundled samples (`samples`) and full-size
synthetic datasets for benchmarks (`synth`). Nothing in the build imports them."""
