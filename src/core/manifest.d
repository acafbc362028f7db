src/core/manifest.o: src/core/manifest.cpp \
 /work/main/src/core/manifest.hpp /work/main/src/core/codec.hpp \
 /work/main/src/core/sink.hpp /work/main/src/core/dump_format.hpp \
 /work/main/src/core/json_document.hpp /work/main/src/core/error.hpp
/work/main/src/core/manifest.hpp:
/work/main/src/core/codec.hpp:
/work/main/src/core/sink.hpp:
/work/main/src/core/dump_format.hpp:
/work/main/src/core/json_document.hpp:
/work/main/src/core/error.hpp:
