"""The example project that `make demo` runs: the app, the admin and the simulator on one server."""
