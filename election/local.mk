# election/: pure state machine + wire codec.  Sees only its own folder.
