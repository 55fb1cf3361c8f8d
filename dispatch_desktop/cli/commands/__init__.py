"""One module per command group; each `register`s its commands, in the order `--help` lists them."""
