src/core/backup_request.o: src/core/backup_request.cpp \
 /work/main/src/core/backup_request.hpp /work/main/src/core/codec.hpp \
 /work/main/src/core/sink.hpp /work/main/src/core/dump_format.hpp \
 /work/main/src/core/json_document.hpp /work/main/src/core/error.hpp
/work/main/src/core/backup_request.hpp:
/work/main/src/core/codec.hpp:
/work/main/src/core/sink.hpp:
/work/main/src/core/dump_format.hpp:
/work/main/src/core/json_document.hpp:
/work/main/src/core/error.hpp:
