src/core/backup_objects.o: src/core/backup_objects.cpp \
 /work/main/src/core/backup_objects.hpp /work/main/src/core/storage.hpp \
 /work/main/src/core/sink.hpp /work/main/src/core/object_key.hpp \
 /work/main/src/core/codec.hpp /work/main/src/core/dump_format.hpp
/work/main/src/core/backup_objects.hpp:
/work/main/src/core/storage.hpp:
/work/main/src/core/sink.hpp:
/work/main/src/core/object_key.hpp:
/work/main/src/core/codec.hpp:
/work/main/src/core/dump_format.hpp:
