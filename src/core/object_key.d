src/core/object_key.o: src/core/object_key.cpp \
 /work/main/src/core/object_key.hpp /work/main/src/core/codec.hpp \
 /work/main/src/core/sink.hpp /work/main/src/core/dump_format.hpp \
 /work/main/src/core/error.hpp
/work/main/src/core/object_key.hpp:
/work/main/src/core/codec.hpp:
/work/main/src/core/sink.hpp:
/work/main/src/core/dump_format.hpp:
/work/main/src/core/error.hpp:
