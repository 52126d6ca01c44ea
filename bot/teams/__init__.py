"""The Teams layer: the only package that imports botbuilder. It routes; the core decides."""
