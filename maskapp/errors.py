"""The one user-facing error type of maskapp."""


class MaskError(ValueError):
    """An input that cannot be used as a mask, explained in one human sentence.

    The message says what was wrong, with the observed values, and what to do,
    for example ``"The masks differ in size: 640×480 vs 512×512 pixels. Upload
    masks of the same size or choose 'resize candidate'."``. The shells (the
    CLI and the app) show it as it is; programming errors stay ordinary
    ``ValueError`` / ``TypeError``.
    """
