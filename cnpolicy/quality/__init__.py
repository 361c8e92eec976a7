"""Quality tools beside the product: evaluation against gold, benchmarks, coverage, the synthetic
corpus. They may import several stages (the import contract allows it); nothing imports them.
"""

__all__: list[str] = []
