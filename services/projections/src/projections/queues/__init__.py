"""Work queues per role (issue 15, item 4): what is due or awaited, for whom, by when."""
