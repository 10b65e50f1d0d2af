"""Council cases: inquiries split into their questions, replies into their answers."""
