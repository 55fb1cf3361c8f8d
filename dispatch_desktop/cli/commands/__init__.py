"""One module per command group; each `register`s its commands, in the order `--help` lists them.

A new command goes into the module of its group (a new group: a new module with a
`register(cli: Commands)`, listed in cli/program.py's COMMAND_MODULES). Handlers take the App and
the parsed arguments, call services only, print through cli/output.py and return the exit code.
"""
