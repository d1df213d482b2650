# conf/: libconfig -> one frozen struct.  Sees only its own folder.
