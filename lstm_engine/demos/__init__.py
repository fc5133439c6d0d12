"""Demo experiments: small pure functions over the models that return dataclasses of arrays and scalars.

``params`` (no NumPy) holds every demo's parameters; each experiment module exposes ``run(**args, on_step=None)``.
"""
