"""The one user-facing error type of maskapp."""


class MaskError(ValueError):
    """An input that cannot be used as a mask, explained in one human sentence.

    The message says what was wrong, with the observed values, and what to do,
    for example ``"The masks differ in size: 640×480 vs 512×512 pixels. Upload
    masks of the same size or choose 'resize candidate'."``. The shells (the
    CLI and the app) show it as it is; programming errors stay ordinary
    ``ValueError`` / ``TypeError``.
    """


class SizeMismatch(MaskError):
    """The two masks differ in size; each shell names its own remedy.

    ``str(err)`` is a complete sentence for library callers; the CLI and the
    app call :meth:`sentence` with the name of *their* remedy (``--resize``,
    a button), or none when the candidate is the reference transposed — a
    resize would only hide an axis-order mistake.
    """

    def __init__(self, reference_shape: tuple[int, ...], candidate_shape: tuple[int, ...]):
        self.reference_shape = tuple(reference_shape[:2])
        self.candidate_shape = tuple(candidate_shape[:2])
        super().__init__(self.sentence("pass resize=True to resize the candidate"))

    @property
    def transposed(self) -> bool:
        """The candidate has the reference's size with rows and columns exchanged."""
        return self.reference_shape == self.candidate_shape[::-1]

    def sentence(self, remedy: str) -> str:
        """The message, ending in ``remedy`` (unless the pair is transposed)."""
        ref = f"{self.reference_shape[1]}×{self.reference_shape[0]}"
        cand = f"{self.candidate_shape[1]}×{self.candidate_shape[0]}"
        text = f"The masks differ in size: {ref} (reference) vs {cand} (candidate) pixels."
        if self.transposed:
            return (
                f"{text} The candidate is the reference transposed (rows and columns "
                "exchanged); check the axis order of the file that wrote it."
            )
        return f"{text} Use masks of the same size, or {remedy}."
