"""Where scans enter the repository: a scanner's output read strictly, migrated, written in
canonical form where it belongs and staged (tools/add)."""
