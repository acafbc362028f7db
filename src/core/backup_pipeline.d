src/core/backup_pipeline.o: src/core/backup_pipeline.cpp \
 /work/main/src/core/backup_pipeline.hpp \
 /work/main/src/core/backup_request.hpp /work/main/src/core/codec.hpp \
 /work/main/src/core/sink.hpp /work/main/src/core/dump_format.hpp \
 /work/main/src/core/error.hpp /work/main/src/core/manifest.hpp \
 /work/main/src/core/object_key.hpp /work/main/src/core/sha256.hpp \
 /work/main/src/core/storage.hpp \
 /work/main/src/core/supervised_process.hpp \
 /work/main/src/core/process.hpp
/work/main/src/core/backup_pipeline.hpp:
/work/main/src/core/backup_request.hpp:
/work/main/src/core/codec.hpp:
/work/main/src/core/sink.hpp:
/work/main/src/core/dump_format.hpp:
/work/main/src/core/error.hpp:
/work/main/src/core/manifest.hpp:
/work/main/src/core/object_key.hpp:
/work/main/src/core/sha256.hpp:
/work/main/src/core/storage.hpp:
/work/main/src/core/supervised_process.hpp:
/work/main/src/core/process.hpp:
