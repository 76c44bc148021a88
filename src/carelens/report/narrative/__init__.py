"""The drafted narrative: sentences in the style of the hand-written overview, each number taken from the
computed results and recorded with where it came from (so a test can find every one again), and the
analyst's edits laid over the drafts.

``spoken`` writes a number and records it; ``wording`` says a change or a comparison in words;
``paragraphs`` drafts a measure's paragraph from its figures, one template per shape of measure;
``changes`` drafts "what changed this month"; ``edits`` reads an edits file and lays it over the drafts.
"""
