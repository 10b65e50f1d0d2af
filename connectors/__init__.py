"""Where documents come from. Connectors import nothing of Auskunft's other packages."""
