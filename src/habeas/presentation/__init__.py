"""How the register's answers read, shared by every driver (CLI, demo, API, web).

`findings`: a finding's words in the reader's language, its time left or overdue, what
an undated duty is due before; the JSON of `case show --json` and `alerts --json`.
`terminal`: the same as Rich tables, every recorded text shown as data, never markup.
"""
