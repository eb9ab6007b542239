"""The composition root: settings, the command line and the HTTP server wire the layers together."""
