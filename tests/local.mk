# tests/: unit tests are declared next to their module; this fragment holds
# the namespace integration tests and the shared lab helper.
