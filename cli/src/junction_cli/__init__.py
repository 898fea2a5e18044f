"""Junction's command line: a component's connection values, from the
configuration endpoint (GET /api/v1/runtime/config), written out or given to
a program it starts."""
