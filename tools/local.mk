# The dyndns-guard command: see the list-format commit.
