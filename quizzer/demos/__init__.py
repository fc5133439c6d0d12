"""Live demos: the registry (``registry``) and one view module per demo (``render``, ``key_numbers``)."""
