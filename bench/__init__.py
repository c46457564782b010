"""`make bench`: a load test of the public pages on PostgreSQL with production settings."""
