"""One module per view of a comparison; each renders from result objects.

``render(shown, background)`` draws the view of ``shown`` (a
:class:`ui.state.Shown` with a result) and returns what a person picked in
it, if anything (a selection, a class, an object), as plain values.
"""
