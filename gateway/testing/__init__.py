"""Testing with govgraph: the pytest plugin (`gateway.testing.plugin`, loaded by the `pytest11`
entry point) and the handles its fixtures give. Like the command line, this sits above the
gateway and may start the mocks; nothing below it imports it."""
