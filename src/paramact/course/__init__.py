"""Build tools of the course: release the chapters from the masters, the glossary, the leak check."""
